import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { BIN, REPO_ROOT } from './cli.js';

export interface RunningServer {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM (or the signal given) and wait for the exit; resolves at once if it already exited. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts a long-running payops command (`psp serve`, `webhooks listen`) with the real binary and
 * waits for the URL it prints on stderr. Every server started here is remembered: call
 * `stopAllServers()` in afterEach so none outlives its test, even a failed one.
 */
const running = new Set<RunningServer>();

export async function startServer(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<RunningServer> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8');
  // The exit code, or null when a signal ended it.
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const server: RunningServer = {
    url: '',
    port: 0,
    child,
    stderr: () => stderr,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  running.add(server);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`no URL from payops ${args.join(' ')} within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`payops ${args.join(' ')} exited with ${code} before listening: ${stderr}`));
    });
  }).catch(async (error: unknown) => {
    await server.stop('SIGKILL');
    throw error;
  });
  server.url = url;
  server.port = Number(new URL(url).port);
  return server;
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop('SIGKILL')));
}

/** One HTTP request on a fresh connection (no keep-alive, so no test sees another's socket): its status and body. */
export function httpRequest(
  url: string,
  options: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: options.method ?? 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(options.body ?? '');
  });
}
