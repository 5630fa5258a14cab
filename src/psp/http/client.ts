import http from 'node:http';
import { mapConcurrently } from '../../concurrency.js';
import { ExitCode, PayopsError, UsageError } from '../../errors.js';
import { toCurrency } from '../../money/index.js';
import { normalizeInstant } from '../../time.js';
import type {
  ChargeLookup,
  ChargeOutcome,
  ChargeRequest,
  ChargeResult,
  Dispute,
  PaymentServiceProvider,
  PayoutOutcome,
  PayoutRequest,
  PayoutResult,
  PspCallStats,
  PspRejection,
  RefundOutcome,
  RefundRequest,
  RefundResult,
  RetryableFailure,
  Lookup,
} from '../port.js';
import { SIM_KEY_LIFETIME_MS } from '../sim/engine.js';
import {
  ERROR_CODES,
  ROUTES,
  chargeBody,
  parseMinor,
  parseTransferObject,
  payoutBody,
  refundBody,
} from './wire.js';

export interface HttpPspOptions {
  /** Base URL of `payops psp serve`, e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  timeoutMs: number;
  /** Requests in flight at once for the arrays the executors pass. */
  concurrency: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const DEFAULT_HTTP_CONCURRENCY = 16;
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What came back over the socket, or why nothing usable did. */
type Exchange =
  | { ok: true; statusCode: number; headers: http.IncomingHttpHeaders; body: unknown }
  | { ok: false; failure: RetryableFailure };

/**
 * The `http` PSP: payops' simulator behind `payops psp serve`, reached over a keep-alive agent
 * with a timeout per request and at most `concurrency` requests in flight. Every mutating request
 * carries the order's idempotency key. Every failure is classified: a connection refused never
 * reached the PSP (`sent: false`); a reset, a timeout or an unreadable answer might have been
 * processed (`sent: true`, outcome unknown: retry with the same key); 409 (the same key is still
 * in flight), 429 and 5xx are retried; 402 is a decline; 400 means payops sent what the PSP
 * refuses as such (a key reused with other parameters, a malformed request): rejected, never a
 * decline.
 */
export class HttpPsp implements PaymentServiceProvider {
  readonly name = 'http';
  readonly supportsPayouts = true;
  readonly keyLifetimeMs = SIM_KEY_LIFETIME_MS;
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly latenciesMs: number[] = [];
  private inFlight = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private busySince = 0;
  private busyMs = 0;

  constructor(private readonly options: HttpPspOptions) {
    this.base = parseBaseUrl(options.baseUrl);
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.concurrency,
      maxFreeSockets: options.concurrency,
    });
  }

  async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    return mapConcurrently(requests, this.options.concurrency, async (request) => {
      const exchange = await this.send(
        'POST',
        ROUTES.charges,
        request.idempotencyKey,
        chargeBody(request),
      );
      if (!exchange.ok) return exchange.failure;
      const { statusCode, body } = exchange;
      if (statusCode === 200) return chargeOutcome(body) ?? unreadable(statusCode);
      return this.refusal(exchange, request.idempotencyKey);
    });
  }

  async lookupCharge(merchantReference: string): Promise<ChargeLookup> {
    const exchange = await this.send(
      'GET',
      `${ROUTES.charges}?merchant_reference=${encodeURIComponent(merchantReference)}`,
    );
    if (!exchange.ok) return exchange.failure;
    if (exchange.statusCode !== 200) return retryableStatus(exchange);
    const data = (exchange.body as { data?: unknown[] } | null)?.data;
    if (!Array.isArray(data)) return unreadable(exchange.statusCode);
    if (data.length === 0) return { found: false };
    const result = chargeOutcome(data[0]);
    return result ? { found: true, result } : unreadable(exchange.statusCode);
  }

  async lookupRefund(refund: {
    refundId: string;
    chargeReference: string;
  }): Promise<Lookup<RefundOutcome>> {
    return this.lookupTransfer('refund', refund.refundId);
  }

  async lookupPayout(payoutId: string): Promise<Lookup<PayoutOutcome>> {
    return this.lookupTransfer('payout', payoutId);
  }

  async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    return mapConcurrently(requests, this.options.concurrency, async (request) => {
      const exchange = await this.send(
        'POST',
        ROUTES.refunds,
        request.idempotencyKey,
        refundBody(request),
      );
      if (!exchange.ok) return exchange.failure;
      if (exchange.statusCode === 200) {
        const id = (exchange.body as { id?: unknown } | null)?.id;
        return typeof id === 'string'
          ? { status: 'succeeded', pspReference: id }
          : unreadable(exchange.statusCode);
      }
      return this.refusal(exchange, request.idempotencyKey);
    });
  }

  async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    return mapConcurrently(requests, this.options.concurrency, async (request) => {
      const exchange = await this.send(
        'POST',
        ROUTES.payouts,
        request.idempotencyKey,
        payoutBody(request),
      );
      if (!exchange.ok) return exchange.failure;
      if (exchange.statusCode === 200) {
        const id = (exchange.body as { id?: unknown } | null)?.id;
        return typeof id === 'string'
          ? { status: 'succeeded', pspReference: id }
          : unreadable(exchange.statusCode);
      }
      return this.refusal(exchange, request.idempotencyKey);
    });
  }

  async listDisputes(): Promise<Dispute[]> {
    const exchange = await this.send('GET', ROUTES.disputes);
    const failure = !exchange.ok
      ? exchange.failure.detail
      : exchange.statusCode !== 200
        ? `HTTP ${exchange.statusCode}`
        : undefined;
    const data = exchange.ok ? (exchange.body as { data?: unknown } | null)?.data : undefined;
    if (failure !== undefined || !Array.isArray(data)) {
      throw new PayopsError(
        `the PSP at ${this.base.origin} did not list its disputes: ${failure ?? 'unreadable answer'}`,
        ExitCode.unexpected,
        {
          hint: 'check that `payops psp serve` is running there, then run the command again; nothing was booked',
        },
      );
    }
    try {
      return data.map((item: Record<string, unknown>) => ({
        disputeId: String(item.id),
        chargeReference: String(item.charge),
        merchantReference: String(item.merchantReference),
        amountMinor: parseMinor(item.amountMinor, 'amountMinor'),
        disputeFeeMinor: parseMinor(item.feeMinor, 'feeMinor'),
        currency: toCurrency(item.currency),
        createdAt: normalizeInstant(item.created, 'created'),
      }));
    } catch (error) {
      throw new PayopsError(
        `the PSP at ${this.base.origin} listed a dispute payops cannot read: ${(error as Error).message}`,
        ExitCode.unexpected,
        { hint: 'nothing was booked' },
      );
    }
  }

  callStats(): PspCallStats {
    const sorted = Float64Array.from(this.latenciesMs).sort();
    const at = (q: number) =>
      sorted.length === 0
        ? null
        : Math.round(
            (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) * 100,
          ) / 100;
    return {
      calls: sorted.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      busyMs: Math.round(this.busyMs),
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private async lookupTransfer(
    object: 'refund' | 'payout',
    ownId: string,
  ): Promise<Lookup<RefundOutcome>> {
    const route =
      object === 'refund' ? `${ROUTES.refunds}?refund_id=` : `${ROUTES.payouts}?payout_id=`;
    const exchange = await this.send('GET', `${route}${encodeURIComponent(ownId)}`);
    if (!exchange.ok) return exchange.failure;
    if (exchange.statusCode !== 200) return retryableStatus(exchange);
    const data = (exchange.body as { data?: unknown[] } | null)?.data;
    if (!Array.isArray(data)) return unreadable(exchange.statusCode);
    if (data.length === 0) return { found: false };
    const result = parseTransferObject(data[0], object);
    return result ? { found: true, result } : unreadable(exchange.statusCode);
  }

  /** A non-200 answer to a mutating request. */
  private refusal(
    exchange: Extract<Exchange, { ok: true }>,
    key: string,
  ):
    | RetryableFailure
    | PspRejection
    | { status: 'declined'; pspReference: string | null; reason: string } {
    const { statusCode, body } = exchange;
    const error = (body as { error?: { code?: unknown; message?: unknown; id?: unknown } } | null)
      ?.error;
    if (statusCode === 402) {
      return {
        status: 'declined',
        pspReference: typeof error?.id === 'string' ? error.id : null,
        reason: typeof error?.code === 'string' ? error.code : 'declined',
      };
    }
    if (statusCode === 400 || statusCode === 404 || statusCode === 422) {
      const reused = error?.code === ERROR_CODES.keyReused;
      return {
        status: 'rejected',
        reason: reused ? 'idempotency_key_reused' : 'invalid_request',
        detail: `HTTP ${statusCode} for key ${key}: ${typeof error?.message === 'string' ? error.message : 'no message'}`,
      };
    }
    return retryableStatus(exchange);
  }

  /**
   * At most `concurrency` requests are on the wire at once, whoever calls; a request's timeout
   * starts when it gets its turn, never while it waits for one.
   */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    idempotencyKey?: string,
    body?: unknown,
  ): Promise<Exchange> {
    // A finished request hands its slot straight to the next waiting one.
    if (this.active < this.options.concurrency) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await this.exchange(method, path, idempotencyKey, body);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private exchange(
    method: 'GET' | 'POST',
    path: string,
    idempotencyKey?: string,
    body?: unknown,
  ): Promise<Exchange> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    if (this.inFlight++ === 0) this.busySince = started;
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      let connected = false;
      const finish = (exchange: Exchange) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const ended = performance.now();
        this.latenciesMs.push(ended - started);
        if (--this.inFlight === 0) this.busyMs += ended - this.busySince;
        resolve(exchange);
      };
      const fail = (kind: RetryableFailure['kind'], sent: boolean, detail: string) =>
        finish({ ok: false, failure: { status: 'retryable', kind, sent, detail } });
      const request = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path: `${this.base.pathname.replace(/\/$/, '')}${path}`,
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
            ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) request.destroy(new Error('response too large'));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              if (response.statusCode === 200)
                return fail(
                  'server_error',
                  true,
                  `HTTP 200 with a body that is not JSON: outcome unknown`,
                );
            }
            finish({
              ok: true,
              statusCode: response.statusCode ?? 0,
              headers: response.headers,
              body: parsed,
            });
          });
          response.on('error', (error) =>
            fail(
              'connection',
              true,
              `connection lost while reading the answer (${error.message}): outcome unknown`,
            ),
          );
        },
      );
      const timer = setTimeout(() => {
        fail(
          'timeout',
          connected,
          `no answer within ${this.options.timeoutMs} ms${connected ? ': outcome unknown' : ' (never connected)'}`,
        );
        request.destroy();
      }, this.options.timeoutMs);
      request.on('socket', (socket) => {
        // A socket from the keep-alive pool is already connected.
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // Refused, unreachable or unresolvable: the request never left this machine.
        const neverSent =
          !connected ||
          ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL'].includes(
            error.code ?? '',
          );
        fail(
          'connection',
          !neverSent,
          `${error.code ?? error.message}${neverSent ? ': not sent' : ': connection reset, outcome unknown'}`,
        );
      });
      request.end(payload);
    });
  }
}

function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--psp-url: "${text}" is not a URL`, {
      hint: 'e.g. --psp-url http://127.0.0.1:40123, as printed by `payops psp serve`',
    });
  }
  if (url.protocol !== 'http:')
    throw new UsageError(
      `--psp-url: ${text} must be an http:// URL (payops psp serve listens on loopback)`,
    );
  return url;
}

/** A charge object from the wire, as the executor's normalized result; undefined if it is not one. */
function chargeOutcome(body: unknown): ChargeOutcome | undefined {
  const charge = body as {
    id?: unknown;
    status?: unknown;
    feeMinor?: unknown;
    failureCode?: unknown;
  } | null;
  if (typeof charge?.id !== 'string') return undefined;
  switch (charge.status) {
    case 'succeeded':
      try {
        return {
          status: 'succeeded',
          pspReference: charge.id,
          feeMinor:
            charge.feeMinor === null || charge.feeMinor === undefined
              ? null
              : parseMinor(charge.feeMinor, 'feeMinor'),
        };
      } catch {
        return undefined;
      }
    case 'pending':
      return { status: 'pending', pspReference: charge.id };
    case 'failed':
      return {
        status: 'declined',
        pspReference: charge.id,
        reason: typeof charge.failureCode === 'string' ? charge.failureCode : 'declined',
      };
    default:
      return undefined;
  }
}

function retryableStatus(exchange: Extract<Exchange, { ok: true }>): RetryableFailure {
  const { statusCode, headers } = exchange;
  const seconds = Number(headers['retry-after']);
  const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  if (statusCode === 409)
    return {
      status: 'retryable',
      kind: 'conflict',
      sent: true,
      retryAfterMs,
      detail: 'HTTP 409: a request with the same key is still in flight at the PSP',
    };
  if (statusCode === 429)
    return {
      status: 'retryable',
      kind: 'rate_limited',
      sent: true,
      retryAfterMs,
      detail: 'HTTP 429 Too Many Requests',
    };
  return {
    status: 'retryable',
    kind: 'server_error',
    sent: true,
    detail: `HTTP ${statusCode} from the PSP: outcome unknown`,
  };
}

function unreadable(statusCode: number): RetryableFailure {
  return {
    status: 'retryable',
    kind: 'server_error',
    sent: true,
    detail: `HTTP ${statusCode} with an answer payops cannot read: outcome unknown`,
  };
}
