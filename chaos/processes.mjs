// Runs the real payops binary for the chaos campaign: one-shot commands (optionally armed with a
// failpoint or a timed SIGKILL) and long-running servers (`psp serve`, `webhooks listen`). Every
// process is bounded by a deadline and logged; nothing started here outlives the campaign.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))\/?/;
const SERVER_START_MS = 30_000;
const MAX_LOGGED_STDERR_LINES = 12;
/** Every child of every Processes, so that an interrupted campaign leaves none behind. */
const everyChild = new Set();

/** SIGKILLs every payops process the campaign started and still runs; for SIGINT and SIGTERM. */
export function killEveryChild() {
  for (const child of everyChild)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * @typedef {object} CommandResult
 * @property {string[]} args
 * @property {number | null} code       exit code, null when a signal ended it
 * @property {string | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} ms
 * @property {'failpoint' | 'timer' | null} killedBy  how our SIGKILL reached it, if it did
 * @property {boolean} hung              it outlived its deadline and was killed for that
 */

export class Processes {
  /**
   * @param {{ bin: string, cwd: string, env: NodeJS.ProcessEnv, logFile: string, commandTimeoutMs: number }} options
   */
  constructor(options) {
    this.options = options;
    this.startedAt = Date.now();
    /** payops processes working the books right now (the listener included, `psp serve` excluded). */
    this.live = 0;
    /** The most of them at once since `startPeak()`. */
    this.peak = 0;
    /** @type {Set<import('node:child_process').ChildProcess>} */
    this.children = new Set();
    fs.writeFileSync(options.logFile, '');
  }

  log(line) {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(6);
    fs.appendFileSync(this.options.logFile, `[${seconds}s] ${line}\n`);
  }

  /**
   * Runs `payops ARGS`. `failpoint` ("name=N") arms PAYOPS_FAILPOINTS; `killAfterMs` sends SIGKILL
   * after that long if it still runs. Resolves when the process has exited, whatever the reason.
   * @param {string[]} args
   * @param {{ failpoint?: string, killAfterMs?: number, booksProcess?: boolean }} [options]
   * @returns {Promise<CommandResult>}
   */
  run(args, options = {}) {
    const booksProcess = options.booksProcess ?? true;
    const started = Date.now();
    const child = this.spawn(args, options.failpoint, booksProcess);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let timedKill = false;
    let hung = false;
    const timers = [];
    if (options.killAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedKill = child.exitCode === null && child.signalCode === null;
          child.kill('SIGKILL');
        }, options.killAfterMs),
      );
    }
    timers.push(
      setTimeout(() => {
        hung = child.exitCode === null && child.signalCode === null;
        child.kill('SIGKILL');
      }, this.options.commandTimeoutMs),
    );
    return new Promise((resolve) => {
      child.once('close', (code, signal) => {
        for (const timer of timers) clearTimeout(timer);
        this.forget(child, booksProcess);
        const killed = signal === 'SIGKILL' && !hung;
        /** @type {CommandResult} */
        const result = {
          args,
          code,
          signal,
          stdout,
          stderr,
          ms: Date.now() - started,
          killedBy: killed ? (timedKill ? 'timer' : options.failpoint ? 'failpoint' : null) : null,
          hung,
        };
        this.logResult(result, options);
        resolve(result);
      });
    });
  }

  /**
   * Starts a long-running payops command and waits for the URL it prints on stderr.
   * @param {string[]} args
   * @param {{ failpoint?: string, booksProcess?: boolean, label: string }} options
   */
  async startServer(args, options) {
    const booksProcess = options.booksProcess ?? true;
    const child = this.spawn(args, options.failpoint, booksProcess);
    let stderr = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8');
    const exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.forget(child, booksProcess);
        this.log(
          `${options.label} exited: ${signal ?? `code ${code}`}${signal || code !== 0 ? `\n${indent(stderr.split('\n').slice(-MAX_LOGGED_STDERR_LINES).join('\n'))}` : ''}`,
        );
        resolve({ code, signal });
      });
    });
    let listening = false;
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${options.label} printed no URL within ${SERVER_START_MS} ms: ${stderr.slice(-500)}`,
            ),
          ),
        SERVER_START_MS,
      );
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        // Keep only the tail: a server's stderr grows with every event it handles.
        if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
        const match = listening ? null : LISTENING.exec(stderr);
        if (match) {
          listening = true;
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${options.label} exited (${signal ?? code}) before listening: ${stderr.slice(-500)}`,
          ),
        );
      });
    });
    this.log(
      `${options.label} listening on ${url}${options.failpoint ? ` (armed: ${options.failpoint})` : ''}`,
    );
    return {
      url,
      port: Number(new URL(url).port),
      child,
      /** @type {Promise<{ code: number | null, signal: string | null }>} */
      exited,
      stderr: () => stderr,
      /** Sends the signal (if it still runs) and waits for the exit. */
      stop: async (signal = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  }

  /** Starts counting the most processes working the books at once from now. */
  startPeak() {
    this.peak = this.live;
  }

  /** SIGKILLs every process still running (the campaign's last resort on the way out). */
  async killAll() {
    const waits = [...this.children].map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
          child.once('close', resolve);
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
  }

  spawn(args, failpoint, booksProcess) {
    const env = { ...this.options.env, ...(failpoint ? { PAYOPS_FAILPOINTS: failpoint } : {}) };
    const child = spawn(process.execPath, [this.options.bin, ...args], {
      cwd: this.options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    everyChild.add(child);
    if (booksProcess) {
      this.live++;
      this.peak = Math.max(this.peak, this.live);
    }
    return child;
  }

  forget(child, booksProcess) {
    everyChild.delete(child);
    if (this.children.delete(child) && booksProcess) this.live--;
  }

  logResult(result, options) {
    const how = result.hung
      ? 'HUNG, killed'
      : result.signal
        ? `${result.signal}${result.killedBy ? ` (${result.killedBy})` : ''}`
        : `exit ${result.code}`;
    const armed = [
      options.failpoint && `failpoint ${options.failpoint}`,
      options.killAfterMs !== undefined && `kill after ${options.killAfterMs} ms`,
    ]
      .filter(Boolean)
      .join(', ');
    const tail = result.stderr.trim()
      ? `\n${indent(result.stderr.trim().split('\n').slice(-MAX_LOGGED_STDERR_LINES).join('\n'))}`
      : '';
    this.log(
      `payops ${result.args.join(' ')}${armed ? ` [${armed}]` : ''} → ${how} in ${result.ms} ms${tail}`,
    );
  }
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n');
}
