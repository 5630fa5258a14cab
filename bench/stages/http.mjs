// HTTP stage: N checkout events (one order each) charged by `payops payin run --psp http` through
// `payops psp serve` on loopback (both processes on this machine, WAL + synchronous=FULL on both
// databases), with --concurrency 32. Reports orders/s of the whole run, the PSP phase's own rate
// (calls per second while any call was in flight), p50/p99 PSP call latency, and the peak RSS of
// both processes; then, in the same run, the same events through the in-process sim PSP as the
// baseline, the HTTP path alone (the adapter straight to a fresh server, none of payops' own work:
// the ceiling of this stage), and `payops check` against the server's state file.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, measureNode as timed, round } from './measure.mjs';

const WRAPPER = path.join(ROOT, 'bench', 'stages', 'rss-wrapper.mjs');

/** Starts `psp serve` under the RSS wrapper, its stderr in a file; resolves with its URL. */
async function startServer(state, logFile) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [WRAPPER, BIN, 'psp', 'serve', '--state', state, '--port', '0'],
    { stdio: ['ignore', 'ignore', log], env: { ...process.env, NO_COLOR: '1' } },
  );
  fs.closeSync(log);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(fs.readFileSync(logFile, 'utf8'));
    if (match) return { url: match[1], child, exited };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`psp serve did not start: ${fs.readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export default async function httpStage({ quick, orders, log }) {
  const n = orders ?? (quick ? 10_000 : 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-http-'));
  let server;
  try {
    const events = path.join(dir, 'events.ndjson');
    log(`http: generating ${n} events`);
    const generated = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'scripts', 'generate-events.mjs'),
        '--events',
        String(n),
        '--max-orders',
        '1',
        '--sellers',
        '1000',
        '--seed',
        '1',
        '--out',
        events,
      ],
      { encoding: 'utf8' },
    );
    if (generated.status !== 0) throw new Error(generated.stderr);
    const db = path.join(dir, 'bench.db');
    const state = path.join(dir, 'psp.db');
    spawnSync(process.execPath, [BIN, 'init', '--db', db]);
    const serverLog = path.join(dir, 'serve.log');
    server = await startServer(state, serverLog);

    log(
      `http: payops payin run (${n} orders) through psp serve at ${server.url}, --concurrency 32, no faults`,
    );
    const run = timed([
      BIN,
      'payin',
      'run',
      events,
      '--db',
      db,
      '--psp',
      'http',
      '--psp-url',
      server.url,
      '--concurrency',
      '32',
      '--json',
    ]);
    const summary = JSON.parse(run.stdout);
    if (summary.orders.accepted !== n || summary.orders.attempted !== n)
      throw new Error(`expected ${n} orders, got ${JSON.stringify(summary.orders)}`);
    server.child.kill('SIGTERM');
    await server.exited;
    const serverStderr = fs.readFileSync(serverLog, 'utf8');
    const marker = serverStderr.lastIndexOf('\nBENCH_RSS_KB=');
    const serverRssMb =
      marker >= 0 ? Math.round(Number(serverStderr.slice(marker + 14).trim()) / 1024) : null;
    server = undefined;

    log(
      `http: the HTTP path alone, ${n} charges through the adapter to a fresh psp serve, nothing else`,
    );
    const bareState = path.join(dir, 'bare-psp.db');
    server = await startServer(bareState, path.join(dir, 'bare-serve.log'));
    const bare = timed([
      path.join(ROOT, 'bench', 'stages', 'http-baseline.mjs'),
      server.url,
      String(n),
    ]);
    const bareStats = JSON.parse(bare.stdout);
    server.child.kill('SIGTERM');
    await server.exited;
    server = undefined;

    log("http: payops check against the server's state file");
    const check = timed([
      BIN,
      'check',
      '--db',
      db,
      '--psp',
      'http',
      '--psp-state',
      state,
      '--json',
    ]);
    if (!JSON.parse(check.stdout).ok)
      throw new Error('payops check failed after the benchmark run');

    log('http: baseline, the same events through the in-process sim PSP');
    const simDb = path.join(dir, 'sim.db');
    spawnSync(process.execPath, [BIN, 'init', '--db', simDb]);
    const sim = timed([BIN, 'payin', 'run', events, '--db', simDb, '--json']);

    const perSecond = Math.round(n / run.seconds);
    const simPerSecond = Math.round(n / sim.seconds);
    const psp = summary.psp;
    return {
      stage: 'http',
      n,
      seconds: round(run.seconds),
      perSecond,
      pspPhase: {
        calls: psp.calls,
        busySeconds: round(psp.busyMs / 1000),
        callsPerSecond: Math.round(psp.calls / (psp.busyMs / 1000)),
      },
      latencyMs: { p50: psp.p50Ms, p99: psp.p99Ms },
      peakRssMb: { payops: run.peakRssMb, server: serverRssMb },
      target: { perSecond: 3_000 },
      baseline: {
        what: 'the same events through the in-process sim PSP (payops payin run --psp sim)',
        seconds: round(sim.seconds),
        perSecond: simPerSecond,
        peakRssMb: sim.peakRssMb,
      },
      httpPathAlone: {
        what: "the same number of charges through the http adapter (32 in flight) to a fresh psp serve, without payops' own work: the ceiling of this stage",
        perSecond: Math.round(n / (bareStats.busyMs / 1000)),
        latencyMs: { p50: bareStats.p50Ms, p99: bareStats.p99Ms },
      },
      ratio: round(perSecond / simPerSecond, 3),
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
    };
  } finally {
    if (server) server.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
