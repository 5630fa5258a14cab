import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PayopsError } from '../../src/errors.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { sqliteBankLeg } from '../../src/bank/sqlite-bank-stores.js';
import { DECISION_ACTIONS } from '../../src/reconcile/decision.js';
import type { ItemRecord } from '../../src/reconcile/store.js';
import { balanceOf, capture, lined, payout, tempBook } from '../reconcile/book.js';
import {
  BankBook,
  PAYOUTS_IN_TRANSIT_ACCOUNT,
  UNIDENTIFIED_CREDITS_ACCOUNT,
  bankInTransitAccount,
} from './decide-book.js';

type Fate = 'received' | 'short' | 'unknown-exact' | 'unknown-other' | 'missing';

const BATCHES = [
  { batchId: 'po_1', order: 'ord_1', grossMinor: 1000n },
  { batchId: 'po_2', order: 'ord_2', grossMinor: 2000n },
  { batchId: 'po_3', order: 'ord_3', grossMinor: 3000n },
];

function sumOf(db: Database, sql: string, ...params: unknown[]): bigint {
  return BigInt((db.prepare(sql).get(...params) as { total: bigint | null }).total ?? 0n);
}

/**
 * Whatever the statement shows for three PSP payouts and a seller payout (received, short, an
 * unknown entry of the same or another amount, nothing) and whatever a person then decides in any order (including
 * refused decisions: links to the wrong payout or amount, decisions on resolved items), no payout
 * is ever cleared beyond what the PSP paid, and each in-transit account holds exactly what the
 * settlements put in less what the bank and the decisions took out.
 */
describe('bank decision properties', () => {
  it('Σ bank_matches of a payout ≤ its amount, and in-transit = settled − matched, after every decision', async () => {
    const taken = { posted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.constantFrom<Fate>('received', 'short', 'unknown-exact', 'unknown-other', 'missing'),
          { minLength: 4, maxLength: 4 },
        ),
        fc.array(fc.record({ item: fc.nat(), action: fc.nat(), target: fc.nat() }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 99 }),
        async (fates, picks, deltaMinor) => {
          const { db, book, cleanup } = tempBook();
          try {
            await book.charge(
              BATCHES.map(({ order, grossMinor }) => [order, `${grossMinor / 100n}.00`]),
            );
            const rows = BATCHES.map(({ order, grossMinor, batchId }) =>
              capture(order, grossMinor, { batchId }),
            );
            await book.reconcile(
              'day.csv',
              lined([...rows, ...BATCHES.map(({ batchId }) => payout(batchId, rows))]),
            );
            const bank = new BankBook(db);
            bank.statement();
            const items: ItemRecord[] = [];
            BATCHES.forEach(({ batchId, grossMinor }, index) => {
              const amountMinor = grossMinor - 30n;
              const ref = `psp-payout:sim:${batchId}:USD`;
              const fate = fates[index] as Fate;
              if (fate === 'received') bank.received('sim', batchId, amountMinor);
              if (fate === 'short')
                items.push(
                  bank.amountMismatch(
                    'sim',
                    batchId,
                    amountMinor,
                    amountMinor - BigInt(deltaMinor),
                  ),
                );
              if (fate === 'unknown-exact' || fate === 'unknown-other' || fate === 'missing')
                items.push(bank.notReceived(ref, amountMinor));
              if (fate === 'unknown-exact') items.push(bank.unknownCredit(amountMinor));
              if (fate === 'unknown-other')
                items.push(bank.unknownCredit(amountMinor - BigInt(deltaMinor)));
            });
            // One seller payout of 40.00: its debit shown, shown for another amount, or not at all.
            bank.sellerPayout('pay_1', 4000n);
            const sellerFate = fates[3] as Fate;
            if (sellerFate !== 'received' && sellerFate !== 'short')
              items.push(bank.notReceived('seller-payout:pay_1', -4000n));
            if (sellerFate === 'unknown-exact' || sellerFate === 'received')
              items.push(bank.unknownDebit(4000n));
            if (sellerFate === 'unknown-other' || sellerFate === 'short')
              items.push(bank.unknownDebit(4000n - BigInt(deltaMinor)));
            const targets = [
              ...BATCHES.map(({ batchId }) => batchId),
              'pay_1',
              ...items.map((item) => item.itemId),
              'nope',
            ];
            const decisions = sqliteDecisions(db, { clock: book.clock, by: 'prop', runId: null }, [
              sqliteBankLeg(db),
            ]);
            const settledMinor = sumOf(
              db,
              `SELECT SUM(net_minor) AS total FROM recon_settlements WHERE psp = 'sim' AND posted_at IS NOT NULL`,
            );
            for (const pick of picks) {
              if (items.length === 0) break;
              const item = items[pick.item % items.length] as ItemRecord;
              const action = DECISION_ACTIONS[pick.action % DECISION_ACTIONS.length]!;
              try {
                if (
                  decisions.decide(item.itemId, action, {
                    note: 'n',
                    linkTo: targets[pick.target % targets.length] as string,
                  }).txIds.length > 0
                )
                  taken.posted++;
              } catch (error) {
                if (!(error instanceof PayopsError)) throw error;
                taken.refused++;
              }
              for (const { batchId, grossMinor } of BATCHES) {
                const matchedMinor = sumOf(
                  db,
                  `SELECT SUM(amount_minor) AS total FROM bank_matches WHERE payout_kind = 'psp_payout' AND psp = 'sim' AND payout_ref = ?`,
                  batchId,
                );
                expect(matchedMinor).toBeLessThanOrEqual(grossMinor - 30n);
                expect(matchedMinor).toBeGreaterThanOrEqual(0n);
              }
              const matchedMinor = sumOf(
                db,
                `SELECT SUM(amount_minor) AS total FROM bank_matches WHERE payout_kind = 'psp_payout' AND psp = 'sim'`,
              );
              expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(settledMinor - matchedMinor);
              const sellerMatchedMinor = sumOf(
                db,
                `SELECT SUM(amount_minor) AS total FROM bank_matches WHERE payout_kind = 'seller_payout' AND payout_ref = 'pay_1'`,
              );
              expect(sellerMatchedMinor).toBeLessThanOrEqual(4000n);
              expect(balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT)).toBe(4000n - sellerMatchedMinor);
              const heldMinor = sumOf(
                db,
                `SELECT SUM(e.amount_minor) AS total FROM recon_items i JOIN bank_entries e ON e.id = i.row_id WHERE i.class = 'unknown_credit' AND i.status = 'open'`,
              );
              expect(balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT)).toBe(heldMinor);
            }
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 30 },
    );
    // The sequences both post and get refused: the invariants were checked on real postings.
    expect(taken.posted).toBeGreaterThan(10);
    expect(taken.refused).toBeGreaterThan(10);
  }, 120_000);
});
