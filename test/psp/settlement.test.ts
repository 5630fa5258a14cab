import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Currency } from '../../src/money/index.js';
import { DEFAULT_FEE_RULE } from '../../src/psp/fee-rule.js';
import type { ChargeRequest } from '../../src/psp/port.js';
import { SimEngine } from '../../src/psp/sim/engine.js';
import { NO_FAULTS } from '../../src/psp/sim/faults.js';
import { DISCREPANCY_KINDS, writeSimSettlement } from '../../src/psp/sim/settlement.js';
import { tempDir } from '../helpers/cli.js';
import { readSettlement } from '../helpers/settlement.js';

const USD = 'USD' as Currency;
const EUR = 'EUR' as Currency;
const DAY = '2026-11-23';

function request(
  orderId: string,
  amountMinor: bigint,
  currency = USD,
  paymentToken = 'tok_visa',
): ChargeRequest {
  return {
    idempotencyKey: `payops-${orderId}-charge`,
    merchantReference: orderId,
    amountMinor,
    currency,
    paymentToken,
  };
}

describe("psp settle (the simulated PSP's settlement file)", () => {
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let sim: SimEngine;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-settle-'));
    now = Date.parse(`${DAY}T10:00:00Z`);
    sim = new SimEngine({
      stateFile: path.join(dir, 'sim.db'),
      seed: 's',
      faults: { ...NO_FAULTS, dispute: 0.5 },
      feeRule: DEFAULT_FEE_RULE,
      clock: () => now,
    });
    sim.charge([
      request('ord_1', 2500n),
      request('ord_2', 1000n),
      request('ord_3', 4000n, EUR),
      request('ord_4', 700n),
      request('ord_5', 900n, USD, 'tok_chargeDeclined'),
    ]);
    for (let i = 6; i <= 20; i++) sim.charge([request(`ord_${i}`, BigInt(100 * i))]);
    now += 60_000;
    sim.refund([
      {
        idempotencyKey: 'payops-rf_1-refund',
        refundId: 'rf_1',
        merchantReference: 'ord_2',
        chargeReference: 'ch_sim_00000002',
        amountMinor: 400n,
        currency: USD,
      },
    ]);
    sim.disputes();
  });
  afterEach(() => {
    sim.close();
    cleanup();
  });

  const settle = (options: { inject?: number; seed?: string; date?: string; out?: string } = {}) =>
    writeSimSettlement(sim, {
      date: options.date ?? DAY,
      out: path.join(dir, options.out ?? 'day.csv'),
      outGuard: {},
      inject: options.inject ?? 0,
      seed: options.seed ?? '7',
      feeRule: DEFAULT_FEE_RULE,
    });

  it("lists the day's captures, refunds and disputes with their fees, and one payout per currency that the rows add up to", async () => {
    const manifest = await settle();
    const { rows, errors, format } = await readSettlement(manifest.file);
    expect(format).toBe('payops');
    expect(errors).toEqual([]);
    const captures = rows.filter((row) => row.type === 'capture');
    expect(captures).toHaveLength(19); // 20 charges, one declined
    expect(captures.find((row) => row.merchantReference === 'ord_1')).toMatchObject({
      pspReference: 'ch_sim_00000001',
      grossMinor: 2500n,
      feeMinor: 102n,
      batchId: 'po_sim_20261123_USD',
    });
    expect(rows.filter((row) => row.type === 'refund')).toEqual([
      expect.objectContaining({
        pspReference: 're_sim_00000001',
        merchantReference: 'ord_2',
        grossMinor: -400n,
        feeMinor: 0n,
      }),
    ]);
    const disputes = rows.filter((row) => row.type === 'chargeback');
    expect(disputes.length).toBeGreaterThan(0);
    for (const dispute of disputes)
      expect(dispute).toMatchObject({
        feeMinor: 1500n,
        pspReference: expect.stringMatching(/^dp_sim_/),
      });
    for (const currency of [USD, EUR]) {
      const batch = rows.filter((row) => row.currency === currency);
      const payout = batch.filter((row) => row.type === 'payout');
      const net = batch
        .filter((row) => row.type !== 'payout')
        .reduce((sum, row) => sum + row.netMinor, 0n);
      if (net > 0n)
        expect(payout).toEqual([
          expect.objectContaining({
            batchId: `po_sim_20261123_${currency}`,
            grossMinor: -net,
            occurredAt: `${DAY}T23:59:59.999Z`,
          }),
        ]);
      else expect(payout).toEqual([]);
    }
    expect(manifest.injected).toEqual([]);
    expect(
      manifest.batches.every(
        (batch) => batch.differenceMinor === null || batch.differenceMinor === '0',
      ),
    ).toBe(true);
  });

  it('a day with nothing settled is a file with only its header', async () => {
    const manifest = await settle({ date: '2026-11-20' });
    expect(fs.readFileSync(manifest.file, 'utf8').trimEnd().split('\n')).toHaveLength(1);
    expect(manifest.rows).toBe(0);
  });

  it('injects each kind of discrepancy, on rows chosen by the seed, and leaves the payout what the PSP paid', async () => {
    const honest = await settle({ out: 'honest.csv' });
    const manifest = await settle({ inject: 6 });
    expect(manifest.injected.map((injection) => injection.kind).sort()).toEqual(
      [...DISCREPANCY_KINDS].sort(),
    );
    expect(manifest.skipped).toEqual([]);
    const { rows } = await readSettlement(manifest.file);
    const honestRows = (await readSettlement(honest.file)).rows;
    const byKind = Object.fromEntries(
      manifest.injected.map((injection) => [injection.kind, injection]),
    );
    const at = (line: number | null) => rows.find((row) => row.line === line);
    expect(rows.some((row) => row.pspReference === byKind.missing_row?.pspReference)).toBe(false);
    expect(at(byKind.extra_row!.line)).toMatchObject({
      pspReference: byKind.extra_row!.pspReference,
      merchantReference: expect.stringMatching(/^ord_not_ours_/),
    });
    const original = (reference: string) =>
      honestRows.find((row) => row.pspReference === reference && row.type === 'capture')!;
    expect(at(byKind.changed_amount!.line)!.grossMinor).toBe(
      original(byKind.changed_amount!.pspReference).grossMinor + 100n,
    );
    expect(at(byKind.changed_fee!.line)!.feeMinor).toBe(
      original(byKind.changed_fee!.pspReference).feeMinor + 1n,
    );
    expect(
      rows.filter((row) => row.pspReference === byKind.duplicated_row!.pspReference),
    ).toHaveLength(2);
    expect(at(byKind.settled_failed!.line)).toMatchObject({
      merchantReference: 'ord_5',
      type: 'capture',
    });
    // The payouts are what the PSP really paid: the same as in the honest file.
    expect(rows.filter((row) => row.type === 'payout').map((row) => row.grossMinor)).toEqual(
      honestRows.filter((row) => row.type === 'payout').map((row) => row.grossMinor),
    );
    // Each paid-out batch's difference is what its injected rows overstate.
    for (const batch of manifest.batches.filter((candidate) => candidate.payoutMinor !== null)) {
      const overstated = manifest.injected
        .filter((injection) => injection.batchId === batch.batchId)
        .reduce((sum, injection) => sum + BigInt(injection.overstatedNetMinor), 0n);
      expect(BigInt(batch.differenceMinor ?? '0')).toBe(-overstated);
    }
  });

  it('is deterministic: the same seed writes the same bytes, another seed picks other rows', async () => {
    const one = await settle({ inject: 6, out: 'a.csv' });
    const two = await settle({ inject: 6, out: 'b.csv' });
    const other = await settle({ inject: 6, out: 'c.csv', seed: 'another' });
    expect(fs.readFileSync(one.file)).toEqual(fs.readFileSync(two.file));
    expect(other.injected.map((injection) => injection.pspReference)).not.toEqual(
      one.injected.map((injection) => injection.pspReference),
    );
  });

  it('says what it could not inject', async () => {
    const manifest = await settle({ inject: 6, date: '2026-11-22' });
    expect(manifest.injected).toEqual([]);
    expect(manifest.skipped.map((skipped) => skipped.kind).sort()).toEqual(
      [...DISCREPANCY_KINDS].sort(),
    );
  });
});
