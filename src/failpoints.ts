/**
 * Crash injection for the recovery tests, in the manner of FoundationDB's and TigerBeetle's
 * failpoints. `PAYOPS_FAILPOINTS="executor.after-psp-call=3"` kills this process with SIGKILL the
 * third time it passes that point, leaving the database exactly as a real crash would. Unset (as
 * in production) it costs one property read per call.
 */
const armed: Map<string, number> | undefined = parse(process.env.PAYOPS_FAILPOINTS);
const hits = new Map<string, number>();

export function failpoint(name: string): void {
  if (armed === undefined) return;
  const target = armed.get(name);
  if (target === undefined) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count === target) process.kill(process.pid, 'SIGKILL');
}

function parse(spec: string | undefined): Map<string, number> | undefined {
  if (!spec) return undefined;
  const points = new Map<string, number>();
  for (const part of spec.split(',')) {
    const [name, count] = part.split('=');
    if (name) points.set(name.trim(), Math.max(1, Number(count ?? 1) || 1));
  }
  return points;
}
