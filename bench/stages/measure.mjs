import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'payops');

/**
 * Runs `node SCRIPT ARGS…` in a child and returns its wall seconds, its own peak RSS (getrusage of
 * that process, native SQLite memory included) and its stdout.
 */
export function measureNode(args, { env = {}, timeoutMs } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'stages', 'rss-wrapper.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr ?? '').slice(-2000)}`);
  const marker = result.stderr.lastIndexOf('\nBENCH_RSS_KB=');
  const peakRssMb = marker >= 0 ? Math.round(Number(result.stderr.slice(marker + 14).trim()) / 1024) : null;
  return { seconds, peakRssMb, stdout: result.stdout };
}

/** Wall seconds of any command (e.g. ledger-cli), or null with the reason if it did not finish. */
export function measureCommand(command, args, timeoutMs) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error?.code === 'ENOENT') return { seconds: null, reason: `${command} is not installed` };
  if (result.signal) return { seconds: null, reason: `did not finish within ${timeoutMs / 1000} s`, lowerBound: seconds };
  if (result.status !== 0) return { seconds: null, reason: `${command} failed: ${result.stderr.slice(0, 300)}` };
  return { seconds, stdout: result.stdout };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function round(value, digits = 2) {
  return value === null || value === undefined ? value : Number(value.toFixed(digits));
}
