import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planBankDay, simBankFacts } from '../../../src/bank/sim/index.js';
import type { Currency } from '../../../src/money/index.js';
import { DEFAULT_FEE_RULE } from '../../../src/psp/fee-rule.js';
import type { ChargeRequest } from '../../../src/psp/port.js';
import { SimEngine } from '../../../src/psp/sim/engine.js';
import { NO_FAULTS } from '../../../src/psp/sim/faults.js';
import { writeSimSettlement } from '../../../src/psp/sim/settlement.js';
import { tempDir } from '../../helpers/cli.js';
import { readSettlement } from '../../helpers/settlement.js';

const USD = 'USD' as Currency;
const EUR = 'EUR' as Currency;
// Friday, Saturday, Monday.
const DAYS = ['2026-11-20', '2026-11-21', '2026-11-23'];

const charge = (orderId: string, amountMinor: bigint, currency = USD): ChargeRequest => ({
  idempotencyKey: `payops-${orderId}-charge`,
  merchantReference: orderId,
  amountMinor,
  currency,
  paymentToken: 'tok_visa',
});

/** The simulated PSP over three days (charges, a refund, disputes, seller payouts), read by the simulated bank. */
describe('the simulated bank reads the simulated PSP', () => {
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let sim: SimEngine;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-bank-sim-'));
    sim = new SimEngine({
      stateFile: path.join(dir, 'sim.db'),
      seed: 's',
      faults: { ...NO_FAULTS, dispute: 0.3 },
      feeRule: DEFAULT_FEE_RULE,
      clock: () => now,
    });
    for (const [d, date] of DAYS.entries()) {
      now = Date.parse(`${date}T09:00:00Z`);
      for (let i = 1; i <= 8; i++)
        sim.charge([charge(`ord_${d}_${i}`, BigInt(1_000 * i + d), i % 3 === 0 ? EUR : USD)]);
      now += 60_000;
      sim.refund([
        {
          idempotencyKey: `payops-rf_${d}-refund`,
          refundId: `rf_${d}`,
          merchantReference: `ord_${d}_1`,
          chargeReference: `ch_sim_${String(d * 8 + 1).padStart(8, '0')}`,
          amountMinor: 300n,
          currency: USD,
        },
      ]);
      sim.disputes();
      now += 60_000;
      sim.payout([
        {
          idempotencyKey: `payops-po_${d}-payout`,
          payoutId: `po_${d}`,
          sellerId: `seller_${d}`,
          destination: 'DE89370400440532013000',
          amountMinor: BigInt(2_000 + d),
          currency: USD,
        },
      ]);
    }
  });
  afterEach(() => {
    sim.close();
    cleanup();
  });

  it('credits exactly the payout rows psp settle writes, each on its arrival day', async () => {
    const settled = new Map<string, bigint>();
    for (const date of DAYS) {
      const manifest = await writeSimSettlement(sim, {
        date,
        out: path.join(dir, `${date}.csv`),
        outGuard: {},
        inject: 0,
        seed: '1',
        feeRule: DEFAULT_FEE_RULE,
      });
      const { rows } = await readSettlement(manifest.file);
      for (const row of rows.filter((r) => r.type === 'payout'))
        settled.set(row.batchId ?? '', -row.grossMinor);
    }
    expect(settled.size).toBeGreaterThanOrEqual(4);
    const facts = sim.readSnapshot(() => simBankFacts(sim, '2026-11-24'));
    expect(new Map(facts.pspPayouts.map((p) => [p.batchId, p.amountMinor]))).toEqual(settled);
    // Friday's and Saturday's payouts arrive on Monday, Monday's on Tuesday (delay 1).
    const credited = new Map<string, bigint>();
    for (const date of ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']) {
      for (const statement of planBankDay(facts, { date, delayDays: 1, inject: 0, seed: '0' })
        .statements) {
        for (const entry of statement.entries.filter((e) => e.direction === 'credit')) {
          credited.set(entry.transactions[0]?.endToEndId ?? '', entry.amountMinor);
          expect(entry.bookingDate).toBe(
            entry.transactions[0]?.endToEndId?.includes('20261123') ? '2026-11-24' : '2026-11-23',
          );
        }
      }
    }
    expect(credited).toEqual(settled);
  });

  it('debits each succeeded seller payout on the day it was made, to its seller', () => {
    const facts = sim.readSnapshot(() => simBankFacts(sim, '2026-11-21'));
    expect(facts.sellerPayouts.map((p) => p.payoutId)).toEqual(['po_0', 'po_1']);
    const saturday = planBankDay(facts, {
      date: '2026-11-21',
      delayDays: 1,
      inject: 0,
      seed: '0',
    }).statements.find((s) => s.header.currency === USD);
    expect(
      saturday?.entries
        .filter((e) => !e.bankCharge)
        .map((e) => [
          e.direction,
          e.amountMinor,
          e.transactions[0]?.endToEndId,
          e.transactions[0]?.counterparty,
        ]),
    ).toEqual([['debit', 2_001n, 'po_1', 'seller_1']]);
  });
});
