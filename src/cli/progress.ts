/**
 * A one-line progress bar on stderr, only when stderr is a terminal: how many, how fast, and an
 * ETA against `total` (bytes read, or orders to charge). Redrawn at most ten times a second.
 */
export interface Progress {
  /** `count` more items done, `units` more of the total (bytes or items). */
  advance(count: number, units?: number): void;
  /** Draws the final state and ends the line; later calls do nothing. */
  done(): void;
}

const SILENT: Progress = { advance: () => undefined, done: () => undefined };
const WIDTH = 24;

export function progressBar(
  enabled: boolean,
  label: string,
  unit: string,
  total: number,
): Progress {
  if (!enabled) return SILENT;
  const started = Date.now();
  let count = 0;
  let units = 0;
  let drawnAt = 0;
  let finished = false;
  const draw = (): void => {
    const elapsedS = Math.max(0.001, (Date.now() - started) / 1000);
    const fraction = total > 0 ? Math.min(1, units / total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const etaS = fraction > 0 ? Math.max(0, elapsedS / fraction - elapsedS) : 0;
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count} ${unit}, ${Math.round(count / elapsedS)}/s, ETA ${Math.round(etaS)}s   `,
    );
  };
  return {
    advance(more, moreUnits = more) {
      count += more;
      units += moreUnits;
      const now = Date.now();
      if (!finished && now - drawnAt >= 100) {
        drawnAt = now;
        draw();
      }
    },
    done() {
      if (finished) return;
      finished = true;
      units = total;
      draw();
      process.stderr.write('\n');
    },
  };
}
