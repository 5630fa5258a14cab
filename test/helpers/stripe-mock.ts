import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** The key every Stripe test uses: the mock accepts any `sk_test_` key. */
export const MOCK_KEY = 'sk_test_payops0mock';

/** A charge as stripe-stateful-mock keeps it (the fields the tests read). */
export interface MockCharge {
  id: string;
  amount: number;
  currency: string;
  status: string;
  amount_refunded: number;
  description: string | null;
  metadata: Record<string, string>;
  dispute: string | null;
}

export interface StripeMock {
  url: string;
  /** Every charge the mock holds, read from the mock itself (GET /v1/charges, all pages). */
  charges(): Promise<MockCharge[]>;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./stripe-mock-server.cjs', import.meta.url));

/**
 * Starts stripe-stateful-mock in a child process on a free port of 127.0.0.1. A child process, not
 * an in-process server, so the end-to-end tests can block on the payops binary while it answers;
 * the child also exits by itself if the test process dies. Call `stop()` in afterAll.
 */
export async function startStripeMock(): Promise<StripeMock> {
  const child = spawn(process.execPath, [SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`stripe-stateful-mock did not start within 20 s: ${stderr}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-stateful-mock exited with ${code}: ${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, charges: () => listCharges(url), stop: () => stop(child) };
}

async function listCharges(url: string): Promise<MockCharge[]> {
  const charges: MockCharge[] = [];
  let startingAfter: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const query = new URLSearchParams({
      limit: '100',
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    });
    const body = (await getJson(`${url}/v1/charges?${query}`)) as {
      data: MockCharge[];
      has_more: boolean;
    };
    charges.push(...body.data);
    if (!body.has_more || body.data.length === 0) return charges;
    startingAfter = body.data[body.data.length - 1]?.id;
  }
  throw new Error('more than 100,000 charges at the mock');
}

/** One GET on a fresh connection: a kept-alive one may be closed by the server between two tests. */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { agent: false, headers: { Authorization: `Bearer ${MOCK_KEY}` } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
