/**
 * Crash injection for the recovery tests, in the manner of FoundationDB's and TigerBeetle's
 * failpoints. `PAYOPS_FAILPOINTS="executor.after-psp-call=3"` kills this process with SIGKILL the
 * third time it passes that point, leaving the database exactly as a real crash would.
 * `…=3:stop` stops it there with SIGSTOP instead: a live process holding its leases, for the tests
 * of work held by another process (it goes on after SIGCONT). Unset (as in production) it costs
 * one property read per call.
 */
const armed: Map<string, { count: number; signal: 'SIGKILL' | 'SIGSTOP' }> | undefined = parse(
  process.env.PAYOPS_FAILPOINTS,
);
const hits = new Map<string, number>();

export function failpoint(name: string): void {
  if (armed === undefined) return;
  const target = armed.get(name);
  if (target === undefined) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count === target.count) process.kill(process.pid, target.signal);
}

function parse(
  spec: string | undefined,
): Map<string, { count: number; signal: 'SIGKILL' | 'SIGSTOP' }> | undefined {
  if (!spec) return undefined;
  const points = new Map<string, { count: number; signal: 'SIGKILL' | 'SIGSTOP' }>();
  for (const part of spec.split(',')) {
    const [name, value = '1'] = part.split('=');
    const [count, action] = value.split(':');
    if (name)
      points.set(name.trim(), {
        count: Math.max(1, Number(count) || 1),
        signal: action?.trim() === 'stop' ? 'SIGSTOP' : 'SIGKILL',
      });
  }
  return points;
}
