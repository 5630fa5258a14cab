import http from 'node:http';
import https from 'node:https';
import type { OutboxEvent, SimEngine } from '../sim/engine.js';
import { type FaultRates, draw } from '../sim/faults.js';
import { signatureHeader } from '../webhooks/signature.js';

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  seed: string;
  faults: FaultRates;
  log: (line: string) => void;
  pollMs?: number;
  timeoutMs?: number;
  maxAttempts?: number;
}

const BATCH = 64;
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
/** How long `webhook-delay` holds an event back, so that later events overtake it. */
const DELAY_MS = 400;

/**
 * Delivers the engine's webhook outbox to the receiver: each event signed at the time it is sent
 * (`Payops-Signature: t=…,v1=…`), acknowledged by any 2xx, retried with exponential backoff up to
 * `maxAttempts` (then given up, and said so). The outbox lives in the state file, so a restarted
 * server delivers what a stopped one had not. Faults by seed: `webhook-duplicate` sends an event
 * twice, `webhook-delay` holds it back so later events arrive first.
 */
export class WebhookSender {
  private readonly inProgress = new Set<bigint>();
  private readonly target: URL;
  private readonly agent: http.Agent;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly requests = new Set<http.ClientRequest>();
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(
    private readonly engine: SimEngine,
    private readonly options: WebhookSenderOptions,
  ) {
    this.target = new URL(options.url);
    this.agent =
      this.target.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 8 })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.options.pollMs ?? 100);
  }

  /** Looks at the outbox now (after a commit that may have added events). */
  nudge(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const due = this.engine.dueWebhooks(BATCH).filter((event) => !this.inProgress.has(event.id));
      for (const event of due) this.deliver(event);
    } catch (error) {
      this.options.log(
        `payops psp: reading the webhook outbox failed: ${(error as Error).message}`,
      );
    } finally {
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const delay of this.delays) clearTimeout(delay);
    for (const request of this.requests) request.destroy();
    this.agent.destroy();
  }

  private deliver(event: OutboxEvent): void {
    this.inProgress.add(event.id);
    const attempt = event.attempts + 1;
    const send = async () => {
      const copies =
        draw(this.options.seed, event.eventId, attempt, 'webhook-duplicate') <
        this.options.faults.webhookDuplicate
          ? 2
          : 1;
      const answers = await Promise.all(
        Array.from({ length: copies }, () => this.post(event.body)),
      );
      if (this.stopped) return;
      const acknowledged = answers.find((answer) => answer.ok);
      try {
        if (acknowledged) {
          this.engine.recordDeliveries([{ id: event.id, delivered: true }]);
        } else {
          const error = answers[0]?.detail ?? 'no answer';
          const giveUp = attempt >= (this.options.maxAttempts ?? 12);
          const backoffMs = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
          this.engine.recordDeliveries([
            {
              id: event.id,
              delivered: false,
              giveUp,
              error,
              nextAttemptAt: new Date(Date.now() + backoffMs).toISOString(),
            },
          ]);
          if (giveUp)
            this.options.log(
              `payops psp: gave up delivering webhook ${event.eventId} after ${attempt} attempts: ${error}`,
            );
        }
      } catch (error) {
        this.options.log(
          `payops psp: recording the delivery of ${event.eventId} failed: ${(error as Error).message}`,
        );
      } finally {
        this.inProgress.delete(event.id);
      }
    };
    if (
      draw(this.options.seed, event.eventId, attempt, 'webhook-delay') <
      this.options.faults.webhookDelay
    ) {
      const delay = setTimeout(() => {
        this.delays.delete(delay);
        void send();
      }, DELAY_MS);
      this.delays.add(delay);
    } else {
      void send();
    }
  }

  private post(body: string): Promise<{ ok: boolean; detail: string }> {
    return new Promise((resolve) => {
      const signature = signatureHeader(this.options.secret, body, Math.floor(Date.now() / 1000));
      const request = (this.target.protocol === 'https:' ? https : http).request(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'payops-signature': signature,
          },
          timeout: this.options.timeoutMs ?? 5_000,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            resolve({ ok: status >= 200 && status < 300, detail: `HTTP ${status}` });
          });
          response.on('error', (error) => resolve({ ok: false, detail: error.message }));
        },
      );
      this.requests.add(request);
      request.on('close', () => this.requests.delete(request));
      request.on('timeout', () => request.destroy(new Error('no answer in time')));
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, detail: error.code ?? error.message }),
      );
      request.end(body);
    });
  }
}
