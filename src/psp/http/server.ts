import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InputError } from '../../errors.js';
import { invalidUtf8Offset } from '../../input/utf8.js';
import type { ChargeResult, PayoutResult, RefundResult } from '../port.js';
import { type SimEngine, type StoredResponse, disputeObject } from '../sim/engine.js';
import {
  type FaultBeforeProcessing,
  type FaultRates,
  faultBeforeProcessing,
  responseLost,
} from '../sim/faults.js';
import {
  ERROR_CODES,
  ROUTES,
  chargeBody,
  parseChargeBody,
  parsePayoutBody,
  parseRefundBody,
  payoutBody,
  refundBody,
  refuseDuplicateKeys,
  transferObject,
} from './wire.js';
import { WebhookSender } from './webhook-sender.js';

export interface PspServerOptions {
  engine: SimEngine;
  seed: string;
  faults: FaultRates;
  /** How long a request struck by `timeout` is held before it is processed (past the client's timeout). */
  slowMs: number;
  retryAfterS: number;
  /** How often pending charges whose time has come are settled. */
  settleEveryMs: number;
  webhook?: { url: string; secret: string };
  log: (line: string) => void;
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 255;
const IDEMPOTENCY_KEY = new RegExp(`^[\\x20-\\x7e]{1,${MAX_KEY_LENGTH}}$`);
const MAX_BATCH = 512;
const GROUP_WINDOW_MS = 2;
const DISPUTE_EVERY_MS = 1_000;

type Operation = 'charge' | 'refund' | 'payout';

/** A mutating request on its way through a group commit. */
interface Pending {
  operation: Operation;
  key: string;
  requestHash: string;
  apply: () => ChargeResult | RefundResult | PayoutResult;
  /** The request's fields in wire order: its fingerprint, and echoed in the answer. */
  canonical: Record<string, string>;
  response: http.ServerResponse;
  /** Set once this request was counted (a held request is processed later, uncounted). */
  attempt?: number;
  outcome?:
    | { fault: FaultBeforeProcessing }
    | { reply: StoredResponse; replayed: boolean; lost: boolean };
}

/**
 * `payops psp serve`: the simulated PSP's engine over HTTP on loopback.
 *
 * Idempotency as Stripe documents it: the first response for a key (status and body) is stored in
 * the same transaction as the effect it reports and replayed byte for byte to every later request
 * with that key and the same parameters; other parameters get 400 `idempotency_key_reused`; a
 * request whose key is still in flight gets 409 `idempotency_key_in_use` and is not executed.
 *
 * Group commit: the mutating requests that arrive together (see `enqueue`) are processed in one
 * engine transaction (each in its own savepoint) and answered after it commits, so durability
 * (synchronous=FULL) costs one fsync per batch rather than per request.
 *
 * Wire faults are drawn from the seed, the key and the attempt number, as the in-process sim does.
 */
export class PspServer {
  private readonly server: http.Server;
  private readonly inFlight = new Set<string>();
  private readonly held = new Map<string, { timer: NodeJS.Timeout; pending: Pending }>();
  private readonly sockets = new Set<Socket>();
  private queue: Pending[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly webhooks: WebhookSender | undefined;
  private served = 0;
  private port = 0;
  private closing = false;
  private readonly faulty: boolean;

  constructor(private readonly options: PspServerOptions) {
    this.server = http.createServer((request, response) => this.receive(request, response));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    const { timeout, serverError, rateLimited, reset, lost } = options.faults;
    this.faulty = timeout + serverError + rateLimited + reset + lost > 0;
    this.webhooks = options.webhook
      ? new WebhookSender(options.engine, {
          ...options.webhook,
          seed: options.seed,
          faults: options.faults,
          log: options.log,
        })
      : undefined;
  }

  /** Listens on 127.0.0.1 (port 0: any free port) and returns the base URL. */
  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    const settle = setInterval(() => this.settlePending(), this.options.settleEveryMs);
    const prune = setInterval(() => {
      try {
        this.options.engine.pruneExpiredResponses(1_000);
      } catch (error) {
        this.options.log(
          `payops psp: forgetting expired keys failed (tried again in a minute): ${(error as Error).message}`,
        );
      }
    }, 60_000);
    this.timers.push(settle, prune);
    // Disputes are decided a while after the captures, in their own pass (a scan of the captures).
    if (this.options.faults.dispute > 0)
      this.timers.push(setInterval(() => this.decideDisputes(), DISPUTE_EVERY_MS));
    this.webhooks?.start();
    return this.url();
  }

  url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /**
   * Stops taking requests, answers what is queued (its commit is the next thing to happen) and
   * abandons requests held by the `timeout` fault: nothing of theirs was written, so their retry
   * starts afresh. Webhook deliveries in progress are abandoned; the outbox keeps them.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const [key, { timer, pending }] of this.held) {
      clearTimeout(timer);
      this.inFlight.delete(key);
      pending.response.socket?.destroy();
    }
    this.held.clear();
    this.flush();
    await this.webhooks?.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, 1_000).unref();
    await closed;
  }

  stats(): { served: number } {
    return { served: this.served };
  }

  private decideDisputes(): void {
    try {
      if (this.options.engine.decideDisputes() > 0) this.webhooks?.nudge();
    } catch (error) {
      this.options.log(
        `payops psp: deciding disputes failed (tried again later): ${(error as Error).message}`,
      );
    }
  }

  private settlePending(): void {
    try {
      if (this.options.engine.settleDue(500) > 0) this.webhooks?.nudge();
    } catch (error) {
      this.options.log(`payops psp: settling pending charges failed: ${(error as Error).message}`);
    }
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      this.served++;
      if (tooLarge)
        return send(response, 413, {
          error: {
            type: 'invalid_request_error',
            code: ERROR_CODES.invalidRequest,
            message: `body larger than ${MAX_BODY_BYTES} bytes`,
          },
        });
      const refusal = this.refusal(request);
      if (refusal !== undefined)
        return send(response, refusal.statusCode, {
          error: {
            type: 'invalid_request_error',
            code: ERROR_CODES.invalidRequest,
            message: refusal.message,
          },
        });
      try {
        this.route(request, response, Buffer.concat(chunks));
      } catch (error) {
        if (error instanceof InputError)
          return send(response, 400, {
            error: {
              type: 'invalid_request_error',
              code: ERROR_CODES.invalidRequest,
              message: error.message,
            },
          });
        this.options.log(
          `payops psp: ${request.method} ${request.url} failed: ${(error as Error).message}`,
        );
        send(response, 500, {
          error: {
            type: 'api_error',
            code: 'internal_error',
            message: 'the PSP failed; nothing was recorded for this request',
          },
        });
      }
    });
    request.on('error', () => response.destroy());
  }

  /**
   * A request refused before it is read: a Host that is not one of this server's loopback names
   * (421: a page in a browser whose name was rebound to 127.0.0.1 sends its own name), and a POST
   * whose body is not declared as JSON in UTF-8 (415).
   */
  private refusal(
    request: http.IncomingMessage,
  ): { statusCode: number; message: string } | undefined {
    // Kept from listen(): once close() has begun, address() is null while kept-alive sockets still send.
    const port = this.port;
    const host = (request.headers.host ?? '').toLowerCase();
    if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)) {
      return {
        statusCode: 421,
        message: `this PSP answers only to 127.0.0.1:${port}, localhost:${port} or [::1]:${port} (Host was "${printableHeader(host)}")`,
      };
    }
    if (request.method !== 'POST') return undefined;
    const [mediaType = '', ...parameters] = (request.headers['content-type'] ?? '')
      .toLowerCase()
      .split(';')
      .map((part) => part.trim());
    const charset = parameters.find((parameter) => parameter.startsWith('charset='));
    if (
      mediaType !== 'application/json' ||
      (charset !== undefined && charset.replace(/"/g, '') !== 'charset=utf-8')
    ) {
      return {
        statusCode: 415,
        message: 'the body must be sent as Content-Type: application/json (UTF-8)',
      };
    }
    return undefined;
  }

  private route(request: http.IncomingMessage, response: http.ServerResponse, bytes: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const { engine } = this.options;
    if (request.method === 'GET') {
      if (url.pathname === ROUTES.health) {
        send(response, 200, { status: 'ok' });
        return;
      }
      if (url.pathname === ROUTES.disputes) {
        send(response, 200, { object: 'list', data: engine.disputes().map(disputeObject) });
        return;
      }
      if (url.pathname === ROUTES.charges) {
        const reference = url.searchParams.get('merchant_reference');
        if (!reference)
          throw new InputError('merchant_reference: the order id to look up is required');
        const charge = engine.chargeObjectByMerchantReference(reference);
        send(response, 200, { object: 'list', data: charge ? [charge] : [] });
        return;
      }
      // payops' own refund and payout ids, for a retry past the key's lifetime (nothing is keyed then).
      if (url.pathname === ROUTES.refunds || url.pathname === ROUTES.payouts) {
        const refunds = url.pathname === ROUTES.refunds;
        const field = refunds ? 'refund_id' : 'payout_id';
        const id = url.searchParams.get(field);
        if (!id)
          throw new InputError(
            `${field}: the ${refunds ? 'refund' : 'payout'} id to look up is required`,
          );
        const lookup = refunds ? engine.lookupRefund(id) : engine.lookupPayout(id);
        send(response, 200, {
          object: 'list',
          data: lookup.found
            ? [transferObject(refunds ? 'refund' : 'payout', id, lookup.result)]
            : [],
        });
        return;
      }
      if (url.pathname.startsWith(`${ROUTES.charges}/`)) {
        const charge = engine.chargeObject(
          decodeURIComponent(url.pathname.slice(ROUTES.charges.length + 1)),
        );
        if (charge) send(response, 200, charge);
        else
          send(response, 404, {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: 'no such charge',
            },
          });
        return;
      }
    }
    if (request.method === 'POST') {
      const operation = (
        {
          [ROUTES.charges]: 'charge',
          [ROUTES.refunds]: 'refund',
          [ROUTES.payouts]: 'payout',
        } as Record<string, Operation>
      )[url.pathname];
      if (operation) {
        this.mutate(operation, request, response, bytes);
        return;
      }
    }
    send(response, 404, {
      error: {
        type: 'invalid_request_error',
        code: 'not_found',
        message: `no route for ${request.method} ${url.pathname}`,
      },
    });
  }

  private mutate(
    operation: Operation,
    request: http.IncomingMessage,
    response: http.ServerResponse,
    bytes: Buffer,
  ): void {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      send(response, 400, {
        error: {
          type: 'invalid_request_error',
          code: ERROR_CODES.keyMissing,
          message: `an Idempotency-Key header of 1 to ${MAX_KEY_LENGTH} printable ASCII characters is required`,
        },
      });
      return;
    }
    if (this.closing) {
      send(response, 503, {
        error: {
          type: 'api_error',
          code: 'shutting_down',
          message: 'the PSP is stopping: nothing was processed; retry with the same key',
        },
      });
      return;
    }
    // Never decoded lossily: a byte that is not UTF-8 would be stored as U+FFFD, which no settlement file may hold.
    const badByte = invalidUtf8Offset(bytes);
    if (badByte !== -1)
      throw new InputError(
        `body: invalid UTF-8 at byte ${badByte} (0x${(bytes[badByte] as number).toString(16).toUpperCase()}); send UTF-8`,
      );
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new InputError('body: not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new InputError('the body must be a JSON object');
    refuseDuplicateKeys(bytes.toString('utf8'));
    const { engine } = this.options;
    const fields = body as Record<string, unknown>;
    // The fingerprint is taken over the parsed request in a fixed field order, not the raw text.
    let canonical: Record<string, string>;
    let apply: Pending['apply'];
    if (operation === 'charge') {
      const parsed = parseChargeBody(fields, key);
      canonical = chargeBody(parsed);
      apply = () => engine.chargeUnfaulted(parsed);
    } else if (operation === 'refund') {
      const parsed = parseRefundBody(fields, key);
      canonical = refundBody(parsed);
      apply = () => engine.refundUnfaulted(parsed);
    } else {
      const parsed = parsePayoutBody(fields, key);
      canonical = payoutBody(parsed);
      apply = () => engine.payoutUnfaulted(parsed);
    }
    if (this.inFlight.has(key)) {
      response.setHeader('retry-after', '1');
      send(response, 409, {
        error: {
          type: 'idempotency_error',
          code: ERROR_CODES.keyInUse,
          message: `a request with idempotency key ${key} is still being processed; retry later with the same key`,
        },
      });
      return;
    }
    const requestHash = createHash('sha256')
      .update(`${operation}\n${JSON.stringify(canonical)}`)
      .digest('hex');
    this.inFlight.add(key);
    this.enqueue({ operation, key, requestHash, apply, canonical, response });
  }

  /**
   * A batch commits as soon as every open connection has a request waiting in it (no one else can
   * join), or `GROUP_WINDOW_MS` after its first request, whichever comes first: a client's requests
   * arrive one socket read at a time, and committing on the first would make every other batch tiny.
   */
  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (this.queue.length >= Math.max(1, this.sockets.size - this.held.size)) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      setImmediate(() => this.flush());
    } else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), GROUP_WINDOW_MS);
    }
  }

  /** One engine transaction for every queued request; each is answered after the commit. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        this.options.engine.atomically(() => {
          for (const pending of batch) this.process(pending);
        });
      } catch (error) {
        this.options.log(
          `payops psp: a batch of ${batch.length} requests failed and was rolled back: ${(error as Error).message}`,
        );
        for (const pending of batch) {
          this.inFlight.delete(pending.key);
          send(pending.response, 500, {
            error: {
              type: 'api_error',
              code: 'internal_error',
              message: 'the PSP failed; nothing was recorded for this request',
            },
          });
        }
        continue;
      }
      for (const pending of batch) this.answer(pending);
      this.webhooks?.nudge();
    }
  }

  /** Inside the batch transaction. */
  private process(pending: Pending): void {
    const { engine, seed, faults } = this.options;
    const held = pending.attempt !== undefined;
    // Attempt numbers exist to draw faults: with none configured, no request needs counting.
    const attempt = pending.attempt ?? (this.faulty ? engine.countRequest(pending.key) : 1);
    pending.attempt = attempt;
    if (!held) {
      const fault = faultBeforeProcessing(seed, faults, pending.key, attempt);
      if (fault) {
        pending.outcome = { fault };
        return;
      }
    }
    const lost = responseLost(seed, faults, pending.key, attempt);
    const stored = engine.storedResponse(pending.key);
    if (stored) {
      pending.outcome =
        stored.requestHash === pending.requestHash && stored.operation === pending.operation
          ? { reply: stored, replayed: true, lost }
          : { reply: keyReusedReply(pending), replayed: false, lost: false };
      return;
    }
    let reply: StoredResponse;
    try {
      reply = engine.isolated(() => {
        const rendered = render(pending, pending.apply());
        if (rendered.store) engine.storeResponse(pending.key, rendered.reply);
        return rendered.reply;
      });
    } catch (error) {
      this.options.log(
        `payops psp: ${pending.operation} with key ${pending.key} failed and was rolled back: ${(error as Error).message}`,
      );
      reply = {
        operation: pending.operation,
        requestHash: pending.requestHash,
        statusCode: 500,
        body: JSON.stringify({
          error: {
            type: 'api_error',
            code: 'internal_error',
            message: 'the PSP failed; nothing was recorded for this request',
          },
        }),
      };
    }
    pending.outcome = { reply, replayed: false, lost };
  }

  private answer(pending: Pending): void {
    const { outcome, response, key } = pending;
    if (outcome === undefined) return;
    if ('fault' in outcome) {
      switch (outcome.fault) {
        case 'timeout': {
          // Held past the client's timeout, then processed for a client that has given up.
          const timer = setTimeout(() => {
            this.held.delete(key);
            this.enqueue(pending);
          }, this.options.slowMs);
          this.held.set(key, { timer, pending });
          return;
        }
        case 'server_error':
          this.inFlight.delete(key);
          send(response, 503, {
            error: {
              type: 'api_error',
              code: 'service_unavailable',
              message: 'simulated 503: nothing was processed; retry with the same key',
            },
          });
          return;
        case 'rate_limited':
          this.inFlight.delete(key);
          response.setHeader('retry-after', String(this.options.retryAfterS));
          send(response, 429, {
            error: {
              type: 'rate_limit_error',
              code: 'rate_limited',
              message: 'simulated 429: slow down and retry with the same key',
            },
          });
          return;
        case 'reset':
          this.inFlight.delete(key);
          response.socket?.destroy();
          return;
      }
    }
    this.inFlight.delete(key);
    if (outcome.lost) {
      // Committed, and the answer never leaves: the client sees the connection reset.
      response.socket?.destroy();
      return;
    }
    if (outcome.replayed) response.setHeader('idempotent-replayed', 'true');
    sendText(response, outcome.reply.statusCode, outcome.reply.body);
  }
}

function keyReusedReply(pending: Pending): StoredResponse {
  return {
    operation: pending.operation,
    requestHash: pending.requestHash,
    statusCode: 400,
    body: JSON.stringify({
      error: {
        type: 'idempotency_error',
        code: ERROR_CODES.keyReused,
        message: `idempotency key ${pending.key} was already used with different parameters; the first request stands`,
      },
    }),
  };
}

/** The HTTP answer to an engine result, and whether it is the key's answer for good. */
function render(
  { operation, requestHash, canonical }: Pending,
  result: ChargeResult | RefundResult | PayoutResult,
): { reply: StoredResponse; store: boolean } {
  const reply = (statusCode: number, body: unknown, store = true) => ({
    reply: { operation, requestHash, statusCode, body: JSON.stringify(body) },
    store,
  });
  switch (result.status) {
    case 'succeeded':
    case 'pending':
      if (operation === 'charge') {
        const { paymentToken: _token, ...echoed } = canonical;
        const fee =
          result.status === 'succeeded' && 'feeMinor' in result && result.feeMinor !== null
            ? result.feeMinor.toString()
            : null;
        return reply(200, {
          object: 'charge',
          id: result.pspReference,
          status: result.status,
          ...echoed,
          feeMinor: fee,
        });
      }
      return reply(200, {
        object: operation,
        id: result.pspReference,
        status: 'succeeded',
        ...canonical,
      });
    case 'declined':
      return reply(402, {
        error: {
          type: operation === 'charge' ? 'card_error' : 'declined',
          code: result.reason,
          message: `${operation} declined: ${result.reason}`,
          id: result.pspReference,
        },
      });
    case 'rejected':
      // The engine's own record has this key with other parameters: refused, and nothing stored.
      return reply(
        400,
        {
          error: { type: 'idempotency_error', code: ERROR_CODES.keyReused, message: result.detail },
        },
        false,
      );
    case 'retryable':
      return reply(
        503,
        { error: { type: 'api_error', code: 'service_unavailable', message: result.detail } },
        false,
      );
  }
}

/** A header value as it may be echoed: printable ASCII, cut short. */
function printableHeader(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

function send(response: http.ServerResponse, statusCode: number, body: unknown): void {
  sendText(response, statusCode, JSON.stringify(body));
}

function sendText(response: http.ServerResponse, statusCode: number, body: string): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
