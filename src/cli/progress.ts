/**
 * A one-line progress bar on stderr, only when stderr is a terminal: processed, rate and ETA
 * (from bytes read against the input size). Redrawn at most ten times a second.
 */
export interface Progress {
  advance(records: number, bytes?: number): void;
  done(): void;
}

const SILENT: Progress = { advance: () => undefined, done: () => undefined };

export function progressBar(enabled: boolean, label: string, totalBytes: number): Progress {
  if (!enabled) return SILENT;
  const started = Date.now();
  let records = 0;
  let bytes = 0;
  let drawnAt = 0;
  const draw = (): void => {
    const elapsedS = Math.max(0.001, (Date.now() - started) / 1000);
    const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const rate = records / elapsedS;
    const etaS = fraction > 0 ? elapsedS / fraction - elapsedS : 0;
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${records} records, ${Math.round(rate)}/s, ETA ${Math.round(etaS)}s   `,
    );
  };
  return {
    advance(count, byteCount = 0) {
      records += count;
      bytes += byteCount;
      const now = Date.now();
      if (now - drawnAt >= 100) {
        drawnAt = now;
        draw();
      }
    },
    done() {
      draw();
      process.stderr.write('\n');
    },
  };
}
