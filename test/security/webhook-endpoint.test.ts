import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/psp/webhooks/signature.js';
import { payops, tempDir } from '../helpers/cli.js';
import { PLANTED_SECRETS, findPlantedSecrets } from '../helpers/secrets.js';
import {
  type RunningServer,
  httpRequest,
  startServer,
  stopAllServers,
} from '../helpers/servers.js';

/**
 * `payops webhooks listen` is the one port payops opens to the outside world. Through the real
 * binary, each way a delivery can be wrong is refused before anything is recorded or applied:
 * a forged body, a missing or malformed signature header, the wrong secret, a timestamp outside
 * the tolerance either way, a replayed delivery (a duplicate while fresh, refused once stale), a
 * body over the limit (413, also when it is streamed without a length), a body that is not UTF-8.
 * The listener and `psp serve` answer on 127.0.0.1 and on no other local address, and the secret
 * (the planted one) shows up in no answer, no output and no file.
 */
const SECRET = PLANTED_SECRETS.PAYOPS_WEBHOOK_SECRET as string;
const MAX_BODY = 2048;

interface Answer {
  status: number;
  body: string;
}

const deliver = (
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Answer> => httpRequest(url, { method, body, headers });

/**
 * Streams a body with no Content-Length and never ends it: only the listener can stop it, with an
 * answer (413) or by closing the connection (the client's next write fails). Bounded: after
 * `maxBytes` it stops writing, still without ending the request, and waits.
 */
function streamUntilStopped(
  url: string,
  maxBytes: number,
): Promise<{ stoppedBy: string; sentBytes: number }> {
  return new Promise((resolve) => {
    let sentBytes = 0;
    let answered = false;
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (response) => {
        answered = true;
        response.resume();
        resolve({ stoppedBy: `HTTP ${response.statusCode}`, sentBytes });
        request.destroy();
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      answered = true;
      resolve({ stoppedBy: error.code ?? error.message, sentBytes });
    });
    const chunk = Buffer.alloc(16 * 1024, 0x78);
    const pump = (): void => {
      while (!answered && sentBytes < maxBytes) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** Whether anything answers a TCP connection at host:port: resolves with the error code when nothing does. */
function probe(host: string, port: number): Promise<{ answered: boolean; code?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve({ answered: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ answered: false, code: 'ETIMEDOUT' });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ answered: false, code: error.code ?? error.message }),
    );
  });
}

function event(id: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    type: 'charge.succeeded',
    created: new Date().toISOString(),
    data: {
      object: {
        object: 'charge',
        id: 'ch_sim_00000077',
        status: 'succeeded',
        merchantReference: 'ord_nobody',
        amountMinor: '100',
        currency: 'USD',
        feeMinor: '3',
        failureCode: null,
      },
    },
    ...overrides,
  });
}

describe('the webhook endpoint (payops webhooks listen, the real binary)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let record: string;
  let listener: RunningServer;
  const answers: Record<string, string> = {};
  const nowS = () => Math.floor(Date.now() / 1000);
  const sign = (body: string, t = nowS(), secret = SECRET) => signatureHeader(secret, body, t);
  const remembered = (): string[] => {
    const books = new Sqlite(db, { readonly: true });
    try {
      return books
        .prepare('SELECT event_id FROM webhook_events ORDER BY event_id')
        .pluck()
        .all() as string[];
    } finally {
      books.close();
    }
  };
  const expectRefused = async (
    what: string,
    answer: Promise<Answer>,
    status: number,
    reason?: RegExp,
  ) => {
    const before = remembered();
    const { status: got, body } = await answer;
    answers[what] = body;
    expect(got, `${what}: ${body}`).toBe(status);
    if (reason) expect((JSON.parse(body) as { error: string }).error, what).toMatch(reason);
    expect(remembered(), what).toEqual(before);
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('payops-webhook-endpoint-'));
    db = path.join(dir, 'books.db');
    record = path.join(dir, 'deliveries.ndjson');
    expect(payops(['init', '--db', db]).code).toBe(0);
    const umask = process.umask(0o000);
    try {
      listener = await startServer(
        [
          'webhooks',
          'listen',
          '--db',
          db,
          '--record',
          record,
          '--max-body-bytes',
          String(MAX_BODY),
          '--tolerance-s',
          '300',
        ],
        { PAYOPS_WEBHOOK_SECRET: SECRET },
      );
    } finally {
      process.umask(umask);
    }
  });
  afterAll(async () => {
    await stopAllServers();
    cleanup();
  });

  it('accepts a well-signed delivery, once: the same delivery again is a duplicate that changes nothing', async () => {
    const body = event('evt_good_1');
    const signature = sign(body);
    const first = await deliver(listener.url, body, { 'payops-signature': signature });
    expect([first.status, JSON.parse(first.body).outcome]).toEqual([200, 'unknown_order']);
    const again = await deliver(listener.url, body, { 'payops-signature': signature });
    expect([again.status, JSON.parse(again.body).outcome]).toEqual([200, 'duplicate']);
    expect(remembered()).toEqual(['evt_good_1']);
  });

  it('refuses forged bodies, the wrong secret, and missing or malformed signature headers', async () => {
    const body = event('evt_forged');
    const t = nowS();
    const v1 = sign(body, t).split(',')[1] as string;
    await expectRefused(
      'forged body',
      deliver(listener.url, body.replace('"100"', '"100000"'), {
        'payops-signature': sign(body, t),
      }),
      400,
      /^the signature does not match the body$/,
    );
    await expectRefused(
      'another secret',
      deliver(listener.url, body, { 'payops-signature': sign(body, t, `${SECRET}-old`) }),
      400,
      /does not match/,
    );
    await expectRefused(
      'a signature moved to another timestamp',
      deliver(listener.url, body, { 'payops-signature': `t=${t + 1},${v1}` }),
      400,
      /does not match/,
    );
    await expectRefused(
      'no header',
      deliver(listener.url, body),
      400,
      /^no Payops-Signature header$/,
    );
    await expectRefused(
      'an empty header',
      deliver(listener.url, body, { 'payops-signature': '' }),
      400,
      /no Payops-Signature header/,
    );
    await expectRefused(
      'no timestamp',
      deliver(listener.url, body, { 'payops-signature': v1 }),
      400,
      /has no timestamp/,
    );
    await expectRefused(
      'a timestamp that is not a number',
      deliver(listener.url, body, { 'payops-signature': `t=now,${v1}` }),
      400,
      /has no timestamp/,
    );
    await expectRefused(
      'no v1',
      deliver(listener.url, body, { 'payops-signature': `t=${t}` }),
      400,
      /has no v1 signature/,
    );
    await expectRefused(
      'a v1 that is not 64 hex digits',
      deliver(listener.url, body, { 'payops-signature': `t=${t},v1=${v1.slice(3, 40)}` }),
      400,
      /has no v1 signature/,
    );
    await expectRefused(
      'a v0 scheme only',
      deliver(listener.url, body, { 'payops-signature': `t=${t},v0=${v1.slice(3)}` }),
      400,
      /has no v1 signature/,
    );
    await expectRefused(
      'garbage',
      deliver(listener.url, body, { 'payops-signature': 'garbage;;==,,' }),
      400,
    );
    await expectRefused(
      'several v1, none right',
      deliver(listener.url, body, {
        'payops-signature': `t=${t},v1=${'0'.repeat(64)},v1=${'f'.repeat(64)}`,
      }),
      400,
      /does not match/,
    );
  });

  it('accepts several v1 signatures when one is right (secret rotation)', async () => {
    const body = event('evt_rotated');
    const t = nowS();
    const right = sign(body, t).split(',')[1] as string;
    const old = sign(body, t, `${SECRET}-old`).split(',')[1] as string;
    const answer = await deliver(listener.url, body, {
      'payops-signature': `t=${t},${old},${right}`,
    });
    expect(answer.status).toBe(200);
    expect(remembered()).toContain('evt_rotated');
  });

  it('refuses a timestamp outside the tolerance, stale or in the future', async () => {
    const body = event('evt_untimely');
    await expectRefused(
      'stale',
      deliver(listener.url, body, { 'payops-signature': sign(body, nowS() - 301) }),
      400,
      /away from now \(tolerance 300 s\)/,
    );
    await expectRefused(
      'future',
      deliver(listener.url, body, { 'payops-signature': sign(body, nowS() + 301) }),
      400,
      /away from now \(tolerance 300 s\)/,
    );
    await expectRefused(
      'an hour old',
      deliver(listener.url, body, { 'payops-signature': sign(body, nowS() - 3600) }),
      400,
      /3600 s away/,
    );
  });

  it('refuses a recorded delivery replayed once it is stale, though it was fine when first sent', async () => {
    const strict = await startServer(['webhooks', 'listen', '--db', db, '--tolerance-s', '1'], {
      PAYOPS_WEBHOOK_SECRET: SECRET,
    });
    try {
      const body = event('evt_captured');
      const signature = sign(body);
      expect((await deliver(strict.url, body, { 'payops-signature': signature })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const replayed = await deliver(strict.url, body, { 'payops-signature': signature });
      expect(replayed.status).toBe(400);
      expect(JSON.parse(replayed.body).error).toMatch(/away from now \(tolerance 1 s\)/);
    } finally {
      await strict.stop();
    }
  });

  it('answers 413 to a body over the limit, declared or streamed, without reading it to its end', async () => {
    const padded = (bytes: number) => {
      const base = event('evt_padded', { pad: '' });
      return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
    };
    const atLimit = padded(MAX_BODY);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY);
    expect(
      (await deliver(listener.url, atLimit, { 'payops-signature': sign(atLimit) })).status,
    ).toBe(200);
    const over = padded(MAX_BODY + 1);
    await expectRefused(
      'declared over the limit',
      deliver(listener.url, over, { 'payops-signature': sign(over) }),
      413,
      /body too large/,
    );
    // Streamed without a length and never ended: the listener stops it soon after the limit (it
    // used to read to the end of the body, which this client never sends).
    const streamed = await streamUntilStopped(listener.url, 64 * 1024 * 1024);
    expect(['HTTP 413', 'EPIPE', 'ECONNRESET']).toContain(streamed.stoppedBy);
    expect(streamed.sentBytes).toBeLessThan(64 * 1024 * 1024);
    for (
      let wait = 0;
      wait < 50 && !/rejected: body over the 2048-byte limit/.test(listener.stderr());
      wait++
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.stderr()).toMatch(/rejected: body over the 2048-byte limit/);
  });

  it('refuses a body that is not UTF-8, a GET, and a client that hangs up mid-body; and keeps serving', async () => {
    const body = Buffer.concat([
      Buffer.from(event('evt_latin1').slice(0, -2)),
      Buffer.from([0xe9]),
      Buffer.from('}}'),
    ]);
    await expectRefused(
      'not UTF-8',
      deliver(listener.url, body, { 'payops-signature': sign(body.toString('latin1')) }),
      400,
      /not valid UTF-8/,
    );
    await expectRefused('a GET', deliver(listener.url, '', {}, 'GET'), 405);
    await new Promise<void>((resolve) => {
      const request = http.request(listener.url, {
        method: 'POST',
        agent: false,
        headers: { 'content-length': '1000' },
      });
      request.on('error', () => resolve());
      request.write('{"id":');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 200);
    });
    const after = event('evt_after_hangup');
    expect((await deliver(listener.url, after, { 'payops-signature': sign(after) })).status).toBe(
      200,
    );
  });

  it('records only verified deliveries, as received, 0600 under umask 000', () => {
    const lines = fs
      .readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { body: string });
    const ids = lines.map((line) => (JSON.parse(line.body) as { id: string }).id);
    expect(ids.filter((id) => ['evt_forged', 'evt_untimely', 'evt_latin1'].includes(id))).toEqual(
      [],
    );
    expect(ids).toEqual(
      expect.arrayContaining(['evt_good_1', 'evt_rotated', 'evt_padded', 'evt_after_hangup']),
    );
    expect(fs.statSync(record).mode & 0o777).toBe(0o600);
  });

  it("listens on 127.0.0.1 only: nothing answers on another loopback address, the machine's own addresses or ::1", async () => {
    const { dir: stateDir, cleanup: done } = tempDir();
    const psp = await startServer(['psp', 'serve', '--state', path.join(stateDir, 'psp.db')]);
    try {
      // Every address of this machine but 127.0.0.1 (a link-local IPv6 address with its interface).
      const own = Object.entries(os.networkInterfaces()).flatMap(([name, addresses]) =>
        (addresses ?? [])
          .filter((address) => !address.internal)
          .map((address) =>
            address.family === 'IPv6' && address.scopeid
              ? `${address.address}%${name}`
              : address.address,
          ),
      );
      const others = ['127.0.0.2', '127.1.2.3', '::1', ...own];
      for (const server of [listener, psp]) {
        expect(await probe('127.0.0.1', server.port)).toEqual({ answered: true });
        for (const host of others) {
          const result = await probe(host, server.port);
          expect(result.answered, `${host}:${server.port} answered`).toBe(false);
          // Refused, or no such address on this machine: either way nobody listens there.
          expect(
            [
              'ECONNREFUSED',
              'EADDRNOTAVAIL',
              'EAFNOSUPPORT',
              'ENETUNREACH',
              'EHOSTUNREACH',
              'ETIMEDOUT',
            ],
            `${host}: ${result.code}`,
          ).toContain(result.code);
        }
      }
    } finally {
      await psp.stop();
      done();
    }
  });

  it("shows the secret nowhere: not in an answer, the listener's output, the record or the books", async () => {
    expect(await listener.stop()).toBe(0);
    const outputs = {
      ...Object.fromEntries(
        Object.entries(answers).map(([what, body]) => [`answer to ${what}`, body]),
      ),
      'listener stderr': listener.stderr(),
    };
    expect(findPlantedSecrets(outputs, dir)).toEqual([]);
  });
});
