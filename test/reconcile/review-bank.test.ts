import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBankLeg } from '../../src/bank/sqlite-bank-stores.js';
import { PLAIN } from '../../src/output/palette.js';
import type { Database } from '../../src/db/index.js';
import {
  type Choice,
  type ReviewPrompts,
  renderItem,
  runReviewSession,
} from '../../src/reconcile/review-session.js';
import { SqliteReviewStore } from '../../src/reconcile/sqlite-review-store.js';
import { ReconStore } from '../../src/reconcile/store.js';
import {
  ACCOUNT,
  BankBook,
  UNIDENTIFIED_CREDITS_ACCOUNT,
  bankInTransitAccount,
  moveLegs,
  BANK_OPERATING_ACCOUNT,
} from '../bank/decide-book.js';
import { type TestBook, USD, balanceOf, tempBook } from './book.js';

function scripted(answers: string[]): ReviewPrompts {
  const next = <T>(fallback: T | undefined, choices?: Choice<T>[]): T => {
    const answer = answers.shift();
    if (answer === undefined) throw Object.assign(new Error('closed'), { name: 'ExitPromptError' });
    if (answer === 'default') return fallback as T;
    if (choices && !choices.some((choice) => choice.value === answer))
      throw new Error(`no choice ${answer}`);
    return answer as T;
  };
  return {
    select: async (config) => next(config.default, config.choices),
    input: async (config) => next(config.default as never) as string,
  };
}

/** The review panel of bank items (issue 16): the entry as the bank stated it beside what payops expected, or the balances. */
describe('reviewing bank items', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  let bank: BankBook;

  beforeEach(() => {
    ({ db, book, cleanup } = tempBook());
    bank = new BankBook(db);
    bank.statement();
  });
  afterEach(() => cleanup());

  it('an unknown credit shows its entry (FILE:LINE, direction, amount, booking date, references, remittance) and where its money waits', () => {
    const credit = bank.unknownCredit(12_345n, {
      ref: 'BNK-77',
      endToEndId: 'E2E-9',
      remittance: 'INVOICE 4411 ACME',
    });
    const panel = renderItem(credit, 1, 1, PLAIN, undefined, sqliteBankLeg(db).panel(credit));
    expect(panel).toContain(`── 1 of 1 ── unknown_credit ${credit.itemId} ── 123.45 USD`);
    expect(panel).toContain(`   statement      STMT-1 of ${ACCOUNT} (stmt-1.xml:2)`);
    expect(panel).toContain('   bank entry     stmt-1.xml:13 credit 123.45 USD booked 2026-11-25');
    expect(panel).toContain('   references     BNK-77, E2E-9');
    expect(panel).toContain('   remittance     INVOICE 4411 ACME');
    expect(panel).toContain('   expected       — (payops expected no such movement)');
    expect(panel).toContain(`   waits in       ${UNIDENTIFIED_CREDITS_ACCOUNT}`);
  });

  it('a short payout marks the expected payout against the entry', () => {
    const short = bank.item({
      subject: 'entry:x',
      class: 'amount_mismatch',
      rowId: bank.entry(
        { direction: 'credit', amountMinor: 950n, endToEndId: 'po_1' },
        'amount_mismatch',
        moveLegs(BANK_OPERATING_ACCOUNT, bankInTransitAccount('sim'), 950n),
      ).entryId,
      internalRef: 'psp-payout:sim:po_1:USD',
      amountMinor: -20n,
      bank: { direction: 'credit', bookingDate: '2026-11-25' },
      ours: {
        source: 'payops',
        type: 'psp payout',
        reference: 'po_1',
        order: null,
        batch: 'po_1',
        currency: USD,
        grossMinor: '970',
        feeMinor: null,
        netMinor: null,
        status: 'paid',
        at: '2026-11-23T23:59:59.000Z',
      },
    });
    const panel = renderItem(short, 1, 1, PLAIN, undefined, sqliteBankLeg(db).panel(short));
    expect(panel).toContain('── -0.20 USD ──');
    expect(panel).toMatch(/\n ≠ expected {7}psp-payout:sim:po_1:USD po_1 9\.70 USD on 2026-11-23/);
    expect(panel).toContain('   bank entry     stmt-1.xml:13 credit 9.50 USD booked 2026-11-25');
    expect(panel).toContain('   waits in       nothing posted');
  });

  it("a balance mismatch shows the statement's balances beside the books' on both dates", () => {
    const mismatch = bank.item({
      subject: `balance:${ACCOUNT}:USD:2026-11-25`,
      class: 'balance_mismatch',
      rowId: null,
      amountMinor: 500n,
      bank: {
        balances: {
          openingDate: '2026-11-25',
          openingBankMinor: '10000',
          openingBooksMinor: '10000',
          closingDate: '2026-11-25',
          closingBankMinor: '10500',
          closingBooksMinor: '10000',
        },
      },
    });
    const panel = renderItem(mismatch, 2, 3, PLAIN, undefined, sqliteBankLeg(db).panel(mismatch));
    expect(panel).toContain('── +5.00 USD ──');
    expect(panel).toMatch(/\n {3}opening {2}2026-11-25 +100\.00 +100\.00 +0\.00/);
    expect(panel).toMatch(/\n ≠ closing {2}2026-11-25 +105\.00 +100\.00 +5\.00/);
  });

  it('the session decides a bank item through the same confirmation and posts what the bank decisions post', async () => {
    const credit = bank.unknownCredit(500n, { remittance: 'INTEREST' });
    const screen: string[] = [];
    const tally = await runReviewSession(
      new SqliteReviewStore(db, { clock: book.clock, by: 'alice', runId: null }, [
        sqliteBankLeg(db),
      ]),
      { out: (text) => screen.push(text), style: PLAIN, prompts: scripted(['accept', 'y']) },
      {},
    );
    expect(tally).toEqual({ decided: 1, skipped: 0, open: 0, interrupted: false });
    expect(screen.join('\n')).toContain('   remittance     INTEREST');
    expect(screen.join('\n')).toMatch(
      /proposed: Keep open with a note: nothing payops expects explains this credit/,
    );
    expect(new ReconStore(db).item(credit.itemId)?.status).toBe('resolved');
    expect(balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT)).toBe(0n);
  });
});
