import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../errors.js';
import { failpoint } from '../../failpoints.js';
import { SIGNATURE_HEADER, verifySignature } from '../../psp/webhooks/signature.js';
import { type WebhookApplier, type WebhookOutcome, parseWebhookEvent } from './apply.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** One line of a `--record` file: the delivery exactly as it arrived, after it was verified. */
export interface RecordedDelivery {
  receivedAt: string;
  signature: string;
  body: string;
}

export interface ListenerOptions {
  applier: WebhookApplier;
  secret: string;
  toleranceS: number;
  maxBodyBytes: number;
  /** Append every verified delivery here (NDJSON, mode 0600) for `payops webhooks replay`. */
  recordFile?: string;
  clock: () => number;
  onEvent: (line: { eventId: string; type: string; outcome: WebhookOutcome; detail: string }) => void;
  onRejected: (reason: string) => void;
}

/**
 * `payops webhooks listen`: receives the PSP's events on 127.0.0.1. A delivery is verified first
 * (signature in constant time, timestamp within tolerance, size, JSON shape); anything else is
 * answered 400 (413 when too large) and nothing is recorded. A verified event is applied in one
 * transaction with the row that remembers its id, and only then answered 200, so an event the PSP
 * saw acknowledged is in the books; if applying fails the answer is 500, and an event that came
 * before its order was pending is answered 409: the PSP delivers both again.
 */
export class WebhookListener {
  private readonly server: http.Server;
  readonly counts = new Map<WebhookOutcome | 'rejected', number>();

  constructor(private readonly options: ListenerOptions) {
    this.server = http.createServer((request, response) => this.receive(request, response));
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private count(key: WebhookOutcome | 'rejected'): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return answer(response, 405, { error: 'POST the event' });
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > this.options.maxBodyBytes) {
      this.reject(`body of ${declared} bytes is over the ${this.options.maxBodyBytes}-byte limit`);
      // Answered without reading the body; the connection is closed once the answer is out.
      response.setHeader('connection', 'close');
      response.once('finish', () => request.destroy());
      return answer(response, 413, { error: 'body too large' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= this.options.maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > this.options.maxBodyBytes) {
        this.reject(`body over the ${this.options.maxBodyBytes}-byte limit`);
        return answer(response, 413, { error: 'body too large' });
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers[SIGNATURE_HEADER];
      const signature = Array.isArray(header) ? header.join(',') : header;
      const verified = verifySignature(signature, body, this.options.secret, this.options.toleranceS, Math.floor(this.options.clock() / 1000));
      if (!verified.ok) {
        this.reject(verified.reason);
        return answer(response, 400, { error: verified.reason });
      }
      let parsed: ReturnType<typeof parseWebhookEvent>;
      try {
        parsed = parseWebhookEvent(body);
      } catch (error) {
        const reason = error instanceof InputError ? error.message : String(error);
        this.reject(reason);
        return answer(response, 400, { error: reason });
      }
      try {
        if (this.options.recordFile !== undefined) {
          const line: RecordedDelivery = { receivedAt: new Date(this.options.clock()).toISOString(), signature: signature as string, body };
          fs.appendFileSync(this.options.recordFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
        }
        const { outcome, detail } = this.options.applier.apply(parsed, 'listen');
        // Committed, not yet answered: the PSP will deliver it again, and find it a duplicate.
        failpoint('webhook.after-commit');
        this.count(outcome);
        const { id: eventId, type } = 'ignored' in parsed ? parsed.ignored : parsed;
        this.options.onEvent({ eventId, type, outcome, detail });
        if (outcome === 'retry_later') {
          response.setHeader('retry-after', '1');
          return answer(response, 409, { received: false, outcome, detail });
        }
        answer(response, 200, { received: true, outcome });
      } catch (error) {
        // Not remembered, so the PSP's retry will be applied: answer so that it retries.
        this.options.onRejected(`applying an event failed: ${(error as Error).message}`);
        answer(response, 500, { error: 'not applied; retry later' });
      }
    });
  }

  private reject(reason: string): void {
    this.count('rejected');
    this.options.onRejected(reason);
  }
}

function answer(response: http.ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
