import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Currency } from '../../src/money/index.js';
import { DEFAULT_FEE_RULE, parseFeeRule } from '../../src/psp/fee-rule.js';
import type { ChargeRequest, ChargeResult } from '../../src/psp/port.js';
import { SimEngine, type SimOptions } from '../../src/psp/sim/engine.js';
import { type FaultRates, NO_FAULTS, parseFaults } from '../../src/psp/sim/faults.js';
import { tempDir } from '../helpers/cli.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const USD = 'USD' as Currency;

function request(orderId: string, changes: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: `payops-${orderId}-charge`,
    merchantReference: orderId,
    amountMinor: 2500n,
    currency: USD,
    paymentToken: 'tok_visa',
    ...changes,
  };
}

describe('SimEngine', () => {
  let dir: string;
  let cleanup: () => void;
  let now: number;
  const engines: SimEngine[] = [];
  const clock = () => now;

  /** An engine on `<dir>/<name>`; several engines on one file stand for several processes. */
  function engine(options: Partial<SimOptions> & { file?: string } = {}): SimEngine {
    const { file = 'sim.db', ...rest } = options;
    const sim = new SimEngine({
      stateFile: path.join(dir, file),
      seed: 'seed-1',
      faults: NO_FAULTS,
      feeRule: DEFAULT_FEE_RULE,
      clock,
      ...rest,
    });
    engines.push(sim);
    return sim;
  }
  const faults = (rates: Partial<FaultRates>): FaultRates => ({ ...NO_FAULTS, ...rates });
  const one = (sim: SimEngine, req: ChargeRequest): ChargeResult =>
    sim.charge([req])[0] as ChargeResult;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-sim-'));
    now = T0;
  });
  afterEach(() => {
    for (const sim of engines.splice(0)) sim.close();
    cleanup();
  });

  describe('idempotency', () => {
    it('charges once: a second request with the same key replays the first result', () => {
      const sim = engine();
      const first = one(sim, request('ord_1'));
      expect(first).toEqual({
        status: 'succeeded',
        pspReference: 'ch_sim_00000001',
        feeMinor: 102n,
      });
      now += 5_000;
      expect(one(sim, request('ord_1'))).toEqual(first);
      expect(sim.charges()).toHaveLength(1);
      expect(sim.charges()[0]).toMatchObject({
        reference: 'ch_sim_00000001',
        idempotencyKey: 'payops-ord_1-charge',
        merchantReference: 'ord_1',
        amountMinor: 2500n,
        currency: 'USD',
        feeMinor: 102n,
        status: 'succeeded',
        createdAt: '2026-11-23T10:00:00.000Z',
      });
    });

    it('counts a batch with a key twice as two requests, and charges it once, with or without numbered faults', () => {
      const batch = [request('ord_1'), request('ord_2'), request('ord_1')];
      // Without faults drawn from a request's number the keys are counted in one statement;
      // with a decline rate only (not numbered) as well; the counts and answers are the same.
      for (const [file, rates] of [
        ['plain.db', NO_FAULTS],
        ['declines.db', faults({ decline: 0.5 })],
      ] as const) {
        const sim = engine({ file, faults: rates });
        const [first, second, again] = sim.charge(batch);
        expect(again).toEqual(first);
        expect(second).not.toEqual(first);
        expect(sim.charges()).toHaveLength(2);
        expect(sim.requestCounts()).toEqual(
          new Map([
            ['payops-ord_1-charge', 2],
            ['payops-ord_2-charge', 1],
          ]),
        );
      }
    });

    it('replays across processes: a second engine opened on the same state file returns the same result', () => {
      const first = one(engine(), request('ord_1'));
      const other = engine();
      expect(one(other, request('ord_1'))).toEqual(first);
      expect(other.charges()).toHaveLength(1);
      // And a new key through the second engine gets the next reference, not a clash.
      expect(one(other, request('ord_2'))).toMatchObject({
        status: 'succeeded',
        pspReference: 'ch_sim_00000002',
      });
      expect(engine().requestCounts()).toEqual(
        new Map([
          ['payops-ord_1-charge', 2],
          ['payops-ord_2-charge', 1],
        ]),
      );
    });

    it('replays a decline as the same decline, without a second charge', () => {
      const sim = engine();
      const declined = one(sim, request('ord_1', { paymentToken: 'tok_chargeDeclined' }));
      expect(one(sim, request('ord_1', { paymentToken: 'tok_chargeDeclined' }))).toEqual(declined);
      expect(sim.charges()).toHaveLength(1);
    });

    it('rejects a key reused with different parameters, without failing the rest of its batch, and records nothing for it', () => {
      const sim = engine();
      one(sim, request('ord_1'));
      const rejected = {
        status: 'rejected',
        reason: 'idempotency_key_reused',
        detail: 'idempotency key payops-ord_1-charge was already used with different parameters',
      };
      expect(one(sim, request('ord_1', { amountMinor: 2501n }))).toEqual(rejected);
      expect(one(sim, request('ord_1', { currency: 'EUR' as Currency }))).toEqual(rejected);
      expect(one(sim, request('ord_1', { paymentToken: 'tok_mastercard' }))).toEqual(rejected);
      const [reuse, other] = sim.charge([
        request('ord_1', { merchantReference: 'ord_9' }),
        request('ord_2'),
      ]);
      expect(reuse).toEqual(rejected);
      expect(other).toMatchObject({ status: 'succeeded' });
      expect(sim.charges().map((charge) => [charge.merchantReference, charge.amountMinor])).toEqual(
        [
          ['ord_1', 2500n],
          ['ord_2', 2500n],
        ],
      );
    });

    it('answers a batch in request order, one result per request', () => {
      const sim = engine();
      const results = sim.charge([
        request('ord_1'),
        request('ord_2', { paymentToken: 'tok_chargeDeclined' }),
        request('ord_3', { amountMinor: 1000n }),
      ]);
      expect(results).toEqual([
        { status: 'succeeded', pspReference: 'ch_sim_00000001', feeMinor: 102n },
        { status: 'declined', pspReference: 'ch_sim_00000002', reason: 'card_declined' },
        { status: 'succeeded', pspReference: 'ch_sim_00000003', feeMinor: 59n },
      ]);
    });
  });

  describe('declines', () => {
    it('declines the test tokens with their reasons and records the declined charge without a fee', () => {
      const sim = engine();
      expect(one(sim, request('ord_1', { paymentToken: 'tok_chargeDeclined' }))).toEqual({
        status: 'declined',
        pspReference: 'ch_sim_00000001',
        reason: 'card_declined',
      });
      expect(
        one(sim, request('ord_2', { paymentToken: 'tok_chargeDeclinedInsufficientFunds' })),
      ).toEqual({
        status: 'declined',
        pspReference: 'ch_sim_00000002',
        reason: 'insufficient_funds',
      });
      expect(sim.charges().map((c) => [c.status, c.feeMinor])).toEqual([
        ['declined', null],
        ['declined', null],
      ]);
    });

    it('declines every new charge with decline=1', () => {
      const sim = engine({ faults: faults({ decline: 1 }) });
      for (const id of ['a', 'b', 'c'])
        expect(one(sim, request(id))).toMatchObject({
          status: 'declined',
          reason: 'card_declined',
        });
    });
  });

  describe('faults', () => {
    const RATES = parseFaults('timeout=0.15,5xx=0.15,429=0.1,lost=0.15,decline=0.2,pending=0.2');
    // Each key three times, interleaved, so the per-key attempt counter matters too.
    const REQUESTS = [0, 1, 2].flatMap(() =>
      Array.from({ length: 20 }, (_, i) => request(`ord_${i}`)),
    );

    const run = (file: string, seed: string): ChargeResult[] => {
      const sim = engine({ file, seed, faults: RATES });
      return REQUESTS.map((req) => one(sim, req));
    };

    it('draws the same faults for the same seed and requests on two fresh state files', () => {
      const a = run('a.db', 'seed-A');
      const b = run('b.db', 'seed-A');
      expect(b).toEqual(a);
      // The rates are high enough that this sequence exercises several kinds of fault.
      const kinds = new Set(a.map((r) => (r.status === 'retryable' ? r.kind : r.status)));
      expect(kinds.size).toBeGreaterThanOrEqual(4);
    });

    it('draws other faults for another seed', () => {
      expect(run('c.db', 'seed-B')).not.toEqual(run('a.db', 'seed-A'));
    });

    it('with timeout=1 answers a retryable timeout and records no charge', () => {
      const sim = engine({ faults: faults({ timeout: 1 }) });
      for (let i = 0; i < 3; i++) {
        expect(one(sim, request('ord_1'))).toEqual({
          status: 'retryable',
          kind: 'timeout',
          sent: true,
          detail: expect.stringMatching(/before processing/),
        });
      }
      expect(sim.charges()).toEqual([]);
      expect(sim.lookupCharge('ord_1')).toEqual({ found: false });
      expect(sim.requestCounts().get('payops-ord_1-charge')).toBe(3);
    });

    it('with 5xx=1 answers a retryable server error and records no charge', () => {
      const sim = engine({ faults: faults({ serverError: 1 }) });
      expect(one(sim, request('ord_1'))).toMatchObject({
        status: 'retryable',
        kind: 'server_error',
        sent: true,
      });
      expect(sim.charges()).toEqual([]);
    });

    it('with lost=1 records the charge but the caller hears a timeout; a retry with the same key gets the recorded success', () => {
      const lossy = engine({ faults: faults({ lost: 1 }) });
      expect(one(lossy, request('ord_1'))).toEqual({
        status: 'retryable',
        kind: 'timeout',
        sent: true,
        detail: expect.stringMatching(/response was lost/),
      });
      const recorded = lossy.charges();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        status: 'succeeded',
        merchantReference: 'ord_1',
        feeMinor: 102n,
      });

      const healthy = engine(); // same state file, faults off: the network is back
      expect(one(healthy, request('ord_1'))).toEqual({
        status: 'succeeded',
        pspReference: recorded[0]?.reference,
        feeMinor: 102n,
      });
      expect(healthy.charges()).toHaveLength(1);
      expect(healthy.requestCounts().get('payops-ord_1-charge')).toBe(2);
    });

    it('with 429=1 answers rate_limited with retryAfterMs (configured, else 1000)', () => {
      expect(
        one(
          engine({ file: 'x.db', faults: faults({ rateLimited: 1 }), retryAfterMs: 2_500 }),
          request('ord_1'),
        ),
      ).toEqual({
        status: 'retryable',
        kind: 'rate_limited',
        sent: true,
        retryAfterMs: 2_500,
        detail: expect.stringMatching(/429/),
      });
      const sim = engine({ file: 'y.db', faults: faults({ rateLimited: 1 }) });
      expect(one(sim, request('ord_1'))).toMatchObject({
        kind: 'rate_limited',
        retryAfterMs: 1_000,
      });
      expect(sim.charges()).toEqual([]);
    });

    it('counts every request per key, faulted ones included', () => {
      const sim = engine({ faults: RATES });
      const results = REQUESTS.map((req) => one(sim, req));
      expect(results.some((r) => r.status === 'retryable')).toBe(true);
      const counts = sim.requestCounts();
      expect(counts.size).toBe(20);
      for (let i = 0; i < 20; i++) expect(counts.get(`payops-ord_${i}-charge`)).toBe(3);
      // No key ever creates more than one charge, however many times it is sent.
      const keys = sim.charges().map((c) => c.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length);
    });
  });

  describe('pending charges', () => {
    it('stays pending until pendingResolveMs has passed on the clock, then settles at the next look-up', () => {
      const sim = engine({ faults: faults({ pending: 1 }), pendingResolveMs: 60_000 });
      const first = one(sim, request('ord_1'));
      expect(first).toEqual({ status: 'pending', pspReference: 'ch_sim_00000001' });
      expect(sim.charges()[0]).toMatchObject({ status: 'pending', feeMinor: null });

      now = T0 + 59_999;
      expect(sim.lookupCharge('ord_1')).toEqual({
        found: true,
        result: { status: 'pending', pspReference: 'ch_sim_00000001' },
      });

      now = T0 + 60_000;
      const settled = sim.lookupCharge('ord_1');
      expect(settled).toMatchObject({ found: true, result: { pspReference: 'ch_sim_00000001' } });
      if (!('found' in settled) || !settled.found)
        throw new Error('expected the charge to be found');
      expect(['succeeded', 'declined']).toContain(settled.result.status);
      if (settled.result.status === 'succeeded') expect(settled.result.feeMinor).toBe(102n);
      else expect(settled.result).toMatchObject({ reason: 'authentication_failed' });

      // Settled once and for all: later look-ups and a replay of the charge agree.
      now += 3_600_000;
      expect(sim.lookupCharge('ord_1')).toEqual(settled);
      expect(one(sim, request('ord_1'))).toEqual(settled.result);
      expect(sim.charges()).toHaveLength(1);
    });

    it('settles most pending charges as succeeded (the rest as failed), deterministically', () => {
      const outcomes = (file: string) => {
        const sim = engine({ file, faults: faults({ pending: 1 }), pendingResolveMs: 1_000 });
        for (let i = 0; i < 30; i++) one(sim, request(`ord_${i}`));
        now = T0 + 1_000;
        return Array.from({ length: 30 }, (_, i) => {
          const lookup = sim.lookupCharge(`ord_${i}`);
          return 'found' in lookup && lookup.found ? lookup.result.status : 'missing';
        });
      };
      const a = outcomes('a.db');
      now = T0;
      expect(outcomes('b.db')).toEqual(a);
      expect(a.filter((s) => s === 'succeeded').length).toBeGreaterThan(15);
      expect(a.every((s) => s === 'succeeded' || s === 'declined')).toBe(true);
    });
  });

  describe('key lifetime', () => {
    it('replays within keyLifetimeMs and creates a new charge once the key has expired', () => {
      const sim = engine({ keyLifetimeMs: 10_000 });
      expect(sim.keyLifetime).toBe(10_000);
      const first = one(sim, request('ord_1'));
      now = T0 + 9_999;
      expect(one(sim, request('ord_1'))).toEqual(first);
      expect(sim.charges()).toHaveLength(1);

      now = T0 + 10_001;
      const second = one(sim, request('ord_1'));
      expect(second).toEqual({
        status: 'succeeded',
        pspReference: 'ch_sim_00000002',
        feeMinor: 102n,
      });
      expect(sim.charges().map((c) => c.reference)).toEqual(['ch_sim_00000001', 'ch_sim_00000002']);
      // The new charge's key lives again from its own creation.
      now = T0 + 15_000;
      expect(one(sim, request('ord_1'))).toEqual(second);
      expect(sim.charges()).toHaveLength(2);
    });

    it('accepts other parameters for an expired key, as a new charge', () => {
      const sim = engine({ keyLifetimeMs: 1_000 });
      one(sim, request('ord_1'));
      now = T0 + 2_000;
      expect(one(sim, request('ord_1', { amountMinor: 3000n }))).toMatchObject({
        status: 'succeeded',
        pspReference: 'ch_sim_00000002',
      });
    });

    it('remembers keys for 24 hours by default', () => {
      const sim = engine();
      expect(sim.keyLifetime).toBe(24 * 60 * 60 * 1000);
      const first = one(sim, request('ord_1'));
      now = T0 + 24 * 60 * 60 * 1000 - 1;
      expect(one(sim, request('ord_1'))).toEqual(first);
      now = T0 + 24 * 60 * 60 * 1000 + 1;
      expect(one(sim, request('ord_1'))).not.toEqual(first);
    });
  });

  describe('lookupCharge', () => {
    it('finds the latest charge for a merchant reference, whatever key it was made with', () => {
      const sim = engine();
      one(sim, request('ord_1', { paymentToken: 'tok_chargeDeclined' }));
      one(sim, request('ord_1', { idempotencyKey: 'payops-ord_1-charge-2' }));
      one(sim, request('ord_2'));
      expect(sim.lookupCharge('ord_1')).toEqual({
        found: true,
        result: { status: 'succeeded', pspReference: 'ch_sim_00000002', feeMinor: 102n },
      });
      expect(sim.lookupCharge('ord_2')).toMatchObject({
        found: true,
        result: { pspReference: 'ch_sim_00000003' },
      });
    });

    it('answers {found:false} for a merchant reference it never saw', () => {
      const sim = engine();
      one(sim, request('ord_1'));
      expect(sim.lookupCharge('ord_404')).toEqual({ found: false });
    });

    it('finds a declined charge as declined with its reason', () => {
      const sim = engine();
      one(sim, request('ord_1', { paymentToken: 'tok_chargeDeclinedInsufficientFunds' }));
      expect(sim.lookupCharge('ord_1')).toEqual({
        found: true,
        result: {
          status: 'declined',
          pspReference: 'ch_sim_00000001',
          reason: 'insufficient_funds',
        },
      });
    });
  });

  describe('state file versions', () => {
    it('refuses a state file from a newer payops, untouched', () => {
      engine().close();
      const file = path.join(dir, 'sim.db');
      const raw = new Sqlite(file);
      raw.pragma('user_version = 9');
      raw.close();
      expect(() => engine()).toThrow(/schema version 9, newer than this payops understands \(2\)/);
    });
  });

  it('takes its fee from the configured fee rule, in the currency of the charge', () => {
    const sim = engine({ feeRule: parseFeeRule('1.5%') });
    expect(
      one(sim, request('ord_1', { amountMinor: 1500n, currency: 'JPY' as Currency })),
    ).toMatchObject({ status: 'succeeded', feeMinor: 22n });
  });
});
