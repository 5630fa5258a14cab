import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'payops');
export const GENERATE_EVENTS = path.join(ROOT, 'scripts', 'generate-events.mjs');

/**
 * Runs `node SCRIPT ARGS…` in a child and returns its wall seconds, its own peak RSS (getrusage of
 * that process, native SQLite memory included) and its stdout. With `profile: NAME` and the suite's
 * `--profile DIR`, the child also writes a V8 CPU profile DIR/NAME.cpuprofile.
 */
export function measureNode(args, { env = {}, timeoutMs, profile } = {}) {
  const profileDir = process.env.PAYOPS_BENCH_PROFILE_DIR;
  const profiling =
    profileDir && profile
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${profile}.cpuprofile`]
      : [];
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [...profiling, path.join(ROOT, 'bench', 'stages', 'rss-wrapper.mjs'), ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 256 * 1024 * 1024,
      timeout: timeoutMs,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(
      `${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr ?? '').slice(-2000)}`,
    );
  const marker = result.stderr.lastIndexOf('\nBENCH_RSS_KB=');
  const peakRssMb =
    marker >= 0 ? Math.round(Number(result.stderr.slice(marker + 14).trim()) / 1024) : null;
  return { seconds, peakRssMb, stdout: result.stdout };
}

/**
 * Wall seconds and peak RSS of any command (ledger-cli, hledger), or null seconds with the reason
 * if it did not finish. Peak RSS comes from GNU time when it is installed.
 */
export function measureCommand(command, args, timeoutMs) {
  if (spawnSync(command, ['--version'], { encoding: 'utf8' }).error?.code === 'ENOENT')
    return { seconds: null, reason: `${command} is not installed` };
  const timed =
    spawnSync('/usr/bin/time', ['-f', '%M', '--', 'true'], { encoding: 'utf8' }).status === 0;
  const started = process.hrtime.bigint();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', 'BENCH_RSS_KB=%M', '--', command, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutMs,
      })
    : spawnSync(command, args, {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutMs,
      });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = /BENCH_RSS_KB=(\d+)/.exec(result.stderr ?? '');
  const peakRssMb = rss ? Math.round(Number(rss[1]) / 1024) : null;
  if (result.signal)
    return {
      seconds: null,
      reason: `did not finish within ${timeoutMs / 1000} s`,
      lowerBound: round(seconds),
    };
  if (result.status !== 0)
    return {
      seconds: null,
      reason: `${command} failed: ${(result.stderr ?? '').replace(/BENCH_RSS_KB=\d+\s*/, '').slice(0, 300)}`,
      peakRssMb,
    };
  return { seconds, peakRssMb, stdout: result.stdout };
}

/** Runs a node script to completion (data generation, setup); throws with its stderr if it fails. */
export function runNode(args, env = {}) {
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr ?? '').slice(-2000)}`,
    );
  return result.stdout;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function round(value, digits = 2) {
  return value === null || value === undefined ? value : Number(value.toFixed(digits));
}

/** The 1-minute load average: how shared the machine was while a figure was taken. */
export function loadAverage() {
  return round(os.loadavg()[0], 2);
}
