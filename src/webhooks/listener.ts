import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { invalidUtf8Offset } from '../input/utf8.js';
import { type OutputGuard, PrivateAppendFile } from '../private-files.js';
import { SIGNATURE_HEADER, verifySignature } from '../psp/webhooks/signature.js';
import { type WebhookApplier, type WebhookOutcome, parseWebhookEvent } from './apply.js';

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const LINGER_MS = 1000;

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
  /** What the record file must not be (the books, the PSP state). */
  recordGuard?: OutputGuard;
  clock: () => number;
  onEvent: (line: {
    eventId: string;
    type: string;
    outcome: WebhookOutcome;
    detail: string;
  }) => void;
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
  private record: PrivateAppendFile | undefined;
  readonly counts = new Map<WebhookOutcome | 'rejected', number>();

  constructor(private readonly options: ListenerOptions) {
    this.server = http.createServer((request, response) => this.receive(request, response));
  }

  /** Opens the record file (a usage error if it cannot be written: found now, not at the first delivery), then listens. */
  async listen(port: number): Promise<string> {
    if (this.options.recordFile !== undefined && this.record === undefined)
      this.record = PrivateAppendFile.open(this.options.recordFile, this.options.recordGuard ?? {});
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
    this.record?.close();
    this.record = undefined;
  }

  private count(key: WebhookOutcome | 'rejected'): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      answer(response, 405, { error: 'POST the event' });
      return;
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > this.options.maxBodyBytes) {
      this.tooLarge(
        request,
        response,
        `body of ${declared} bytes is over the ${this.options.maxBodyBytes}-byte limit`,
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      chunks.push(chunk);
      // A body sent without a length (chunked) is refused as soon as it passes the limit, not read to its end.
      if (size > this.options.maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        this.tooLarge(request, response, `body over the ${this.options.maxBodyBytes}-byte limit`);
      }
    });
    request.on('end', async () => {
      if (refused) return;
      const bytes = Buffer.concat(chunks);
      const badByte = invalidUtf8Offset(bytes);
      if (badByte >= 0) {
        const reason = `the body is not valid UTF-8 (byte ${badByte})`;
        this.reject(reason);
        return answer(response, 400, { error: reason });
      }
      const body = bytes.toString('utf8');
      const header = request.headers[SIGNATURE_HEADER];
      const signature = Array.isArray(header) ? header.join(',') : header;
      const verified = verifySignature(
        signature,
        body,
        this.options.secret,
        this.options.toleranceS,
        Math.floor(this.options.clock() / 1000),
      );
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
        if (this.record !== undefined) {
          const line: RecordedDelivery = {
            receivedAt: new Date(this.options.clock()).toISOString(),
            signature: signature as string,
            body,
          };
          this.record.appendLine(JSON.stringify(line));
        }
        const { outcome, detail } = await this.options.applier.apply(parsed, 'listen');
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

  /**
   * 413 at once; the rest of the body is dropped, never kept. Node closes the connection after
   * answering a request whose body is still coming, so a body streamed without end is cut off
   * there; should a connection stay open, a client still sending a second later is cut off too.
   */
  private tooLarge(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    reason: string,
  ): void {
    this.reject(reason);
    request.on('data', () => undefined);
    const cutOff = setTimeout(() => request.destroy(), LINGER_MS);
    cutOff.unref();
    request.once('close', () => clearTimeout(cutOff));
    answer(response, 413, { error: 'body too large' });
  }

  private reject(reason: string): void {
    this.count('rejected');
    this.options.onRejected(reason);
  }
}

function answer(response: http.ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
