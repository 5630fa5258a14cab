import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { equityOpening as OPENING_EQUITY_ACCOUNT } from '../../src/postings/index.js';
import type { Database } from '../../src/db/index.js';
import { InputError, UsageError } from '../../src/errors.js';
import { Ledger } from '../../src/ledger/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { sqliteBankLeg } from '../../src/bank/sqlite-bank-stores.js';
import {
  adjustments as ADJUSTMENTS_ACCOUNT,
  writeOffs as WRITE_OFFS_ACCOUNT,
} from '../../src/postings/index.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { payops } from '../helpers/cli.js';
import { type TestBook, balanceOf, capture, lined, payout, tempBook } from '../reconcile/book.js';
import {
  BANK_FEES_ACCOUNT,
  BANK_OPERATING_ACCOUNT,
  BankBook,
  PAYOUTS_IN_TRANSIT_ACCOUNT,
  UNIDENTIFIED_CREDITS_ACCOUNT,
  UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransitAccount,
  moveLegs,
} from './decide-book.js';

const IN_TRANSIT = bankInTransitAccount('sim');
const PO_1 = 'psp-payout:sim:po_1:USD';

/** A transaction's entries as [account, direction, amount], in the order posted. */
function entriesOf(db: Database, txId: number | undefined): [string, string, bigint][] {
  return new Ledger(db)
    .getTransaction(txId as number)
    .entries.map((entry) => [entry.account, entry.direction, entry.amountMinor]);
}

function matchesOf(db: Database): {
  payout_kind: string;
  part: string;
  entry_id: bigint | null;
  payout_ref: string;
  amount_minor: bigint;
}[] {
  return db
    .prepare(
      'SELECT payout_kind, part, entry_id, payout_ref, amount_minor FROM bank_matches ORDER BY id',
    )
    .all() as never;
}

describe('deciding bank items', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  let bank: BankBook;
  const decisions = (dryRun = false) =>
    sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null, dryRun }, [
      sqliteBankLeg(db),
    ]);
  const item = (itemId: string) => new ReconStore(db).item(itemId)!;
  const decisionsOf = (itemId: string) =>
    new ReconStore(db)
      .decisions(null)
      .filter((decision) => decision.itemId === itemId)
      .map((decision) => [decision.action, decision.linkedTo, decision.decidedBy]);

  /** ord_1 (10.00, fee 0.30) settled in batch po_1: 9.70 posted to the PSP's in-transit, the payout row says 9.70. */
  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([['ord_1', '10.00']]);
    const rows = [capture('ord_1', 1000n)];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
    expect(balanceOf(db, IN_TRANSIT)).toBe(970n);
    bank = new BankBook(db);
    bank.statement();
  });
  afterEach(() => cleanup());

  describe('unknown_credit', () => {
    it('links to the PSP payout it is (proposed from the open payout item): suspense to in-transit, the payout received, both items resolved', () => {
      const waiting = bank.notReceived(PO_1, 970n);
      const credit = bank.unknownCredit(970n, { ref: 'BNK-1' });
      const options = decisions().optionsFor(credit);
      expect(options.proposed).toBe('link');
      expect(options.linkTarget).toBe(waiting.itemId);

      const outcome = decisions().decide(credit.itemId, 'link', { linkTo: 'po_1' });
      expect(outcome.resolved).toBe(true);
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 970n],
        [IN_TRANSIT, 'credit', 970n],
      ]);
      expect(new Ledger(db).getTransaction(outcome.txIds[0]!).kind).toBe('bank.link');
      expect(matchesOf(db)).toEqual([
        {
          payout_kind: 'psp_payout',
          part: 'bank',
          entry_id: credit.rowId,
          payout_ref: 'po_1',
          amount_minor: 970n,
        },
      ]);
      expect([item(credit.itemId).status, item(waiting.itemId).status]).toEqual([
        'resolved',
        'resolved',
      ]);
      expect(decisionsOf(credit.itemId)).toEqual([['link', PO_1, 'tester']]);
      expect(decisionsOf(waiting.itemId)).toEqual([['link', credit.itemId, 'tester']]);
      expect([
        balanceOf(db, IN_TRANSIT),
        balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT),
        balanceOf(db, BANK_OPERATING_ACCOUNT),
      ]).toEqual([0n, 0n, 970n]);

      expect(() => decisions().decide(credit.itemId, 'accept')).toThrow(UsageError);
      expect(() => decisions().decide(credit.itemId, 'accept')).toThrow(
        /already resolved \(linked to psp-payout:sim:po_1:USD\)/,
      );
    });

    it('links through the payout item id, and from the payout item to the credit (the same link)', () => {
      const waiting = bank.notReceived(PO_1, 970n);
      const credit = bank.unknownCredit(970n);
      expect(decisions().optionsFor(waiting)).toMatchObject({
        proposed: 'link',
        linkTarget: credit.itemId,
      });
      const outcome = decisions().decide(waiting.itemId, 'link', {});
      expect(outcome).toMatchObject({ itemId: waiting.itemId, resolved: true });
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 970n],
        [IN_TRANSIT, 'credit', 970n],
      ]);
      expect([item(credit.itemId).status, item(waiting.itemId).status]).toEqual([
        'resolved',
        'resolved',
      ]);
    });

    it('refuses a link of another amount, naming both amounts and what to do', () => {
      const credit = bank.unknownCredit(960n);
      expect(decisions().optionsFor(credit).proposed).toBe('note');
      expect(() => decisions().decide(credit.itemId, 'link', { linkTo: 'po_1' })).toThrow(
        InputError,
      );
      try {
        decisions().decide(credit.itemId, 'link', { linkTo: 'po_1' });
      } catch (error) {
        expect((error as InputError).message).toBe(
          'link: psp-payout:sim:po_1:USD awaits 9.70 USD, the entry stmt-1.xml:13 is 9.60 USD',
        );
        expect((error as InputError).hint).toMatch(/only the same amount links/);
      }
      expect(item(credit.itemId).status).toBe('open');
      expect(matchesOf(db)).toEqual([]);
    });

    it('refuses a link to a payout the bank already received, naming the entry that received it', () => {
      bank.received('sim', 'po_1', 970n);
      const credit = bank.unknownCredit(970n);
      expect(decisions().optionsFor(credit).proposed).toBe('note');
      expect(() => decisions().decide(credit.itemId, 'link', { linkTo: PO_1 })).toThrow(
        'link: psp-payout:sim:po_1:USD was already received by the bank entry stmt-1.xml:13 (2026-11-25)',
      );
      expect(() => decisions().decide(credit.itemId, 'link', { linkTo: 'po_nope' })).toThrow(
        'link: payops has no PSP payout batch po_nope (USD)',
      );
      expect(() =>
        decisions().decide(credit.itemId, 'link', { linkTo: 'seller-payout:pay_1' }),
      ).toThrow(/is not a PSP payout batch/);
      expect(matchesOf(db)).toHaveLength(1);
    });

    it('accept books it to adjustments, write-off to write-offs (a gain, never revenue)', () => {
      const first = bank.unknownCredit(500n);
      const second = bank.unknownCredit(300n);
      const accepted = decisions().decide(first.itemId, 'accept', { note: 'bank interest' });
      expect(entriesOf(db, accepted.txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 500n],
        [ADJUSTMENTS_ACCOUNT, 'credit', 500n],
      ]);
      expect(new Ledger(db).getTransaction(accepted.txIds[0]!).idempotencyKey).toBe(
        `bank.accept:${first.itemId}:1`,
      );
      const written = decisions().decide(second.itemId, 'write_off');
      expect(entriesOf(db, written.txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 300n],
        [WRITE_OFFS_ACCOUNT, 'credit', 300n],
      ]);
      expect(new Ledger(db).getTransaction(written.txIds[0]!).kind).toBe('bank.write-off');
      expect(balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT)).toBe(0n);
      expect(matchesOf(db)).toEqual([]);
    });

    it('a note keeps it open and needs a reason; a dry run says what it would post', () => {
      const credit = bank.unknownCredit(500n);
      expect(() => decisions().decide(credit.itemId, 'note')).toThrow(
        'note: say why the item stays open',
      );
      expect(decisions().decide(credit.itemId, 'note', { note: 'asked the bank' })).toMatchObject({
        resolved: false,
        txIds: [],
      });
      expect(item(credit.itemId).status).toBe('open');
      expect(decisions(true).decide(credit.itemId, 'accept').message).toMatch(
        /would post 1 transaction$/,
      );
    });
  });

  describe('unknown_debit', () => {
    beforeEach(() => bank.sellerPayout('pay_1', 4000n));

    it('links to the seller payout it is: payouts in-transit cleared from the debit suspense', () => {
      const debit = bank.unknownDebit(4000n);
      const outcome = decisions().decide(debit.itemId, 'link', { linkTo: 'pay_1' });
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [UNIDENTIFIED_DEBITS_ACCOUNT, 'credit', 4000n],
        [PAYOUTS_IN_TRANSIT_ACCOUNT, 'debit', 4000n],
      ]);
      expect(matchesOf(db)).toEqual([
        {
          payout_kind: 'seller_payout',
          part: 'bank',
          entry_id: debit.rowId,
          payout_ref: 'pay_1',
          amount_minor: 4000n,
        },
      ]);
      expect([
        balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT),
        balanceOf(db, UNIDENTIFIED_DEBITS_ACCOUNT),
      ]).toEqual([0n, 0n]);
      const second = bank.unknownDebit(4000n);
      expect(() => decisions().decide(second.itemId, 'link', { linkTo: 'pay_1' })).toThrow(
        /seller-payout:pay_1 was already received by the bank entry stmt-1\.xml:\d+/,
      );
      expect(() => decisions().decide(second.itemId, 'link', { linkTo: 'po_1' })).toThrow(
        'link: payops has no succeeded seller payout po_1',
      );
    });

    it('accept books it to adjustments, write-off to write-offs', () => {
      const first = bank.unknownDebit(700n);
      const second = bank.unknownDebit(200n);
      expect(entriesOf(db, decisions().decide(first.itemId, 'accept').txIds[0])).toEqual([
        [UNIDENTIFIED_DEBITS_ACCOUNT, 'credit', 700n],
        [ADJUSTMENTS_ACCOUNT, 'debit', 700n],
      ]);
      expect(entriesOf(db, decisions().decide(second.itemId, 'write_off').txIds[0])).toEqual([
        [UNIDENTIFIED_DEBITS_ACCOUNT, 'credit', 200n],
        [WRITE_OFFS_ACCOUNT, 'debit', 200n],
      ]);
      expect(balanceOf(db, UNIDENTIFIED_DEBITS_ACCOUNT)).toBe(0n);
    });
  });

  describe('bank_fee above the cap', () => {
    it("accept books it as the bank's charge; nothing else but a note is offered", () => {
      const fee = bank.bankFee(4000n);
      expect(
        decisions()
          .optionsFor(fee)
          .options.map((option) => option.action),
      ).toEqual(['accept', 'note']);
      expect(() => decisions().decide(fee.itemId, 'write_off')).toThrow(
        '"write_off" is not possible (possible: accept, note)',
      );
      const outcome = decisions().decide(fee.itemId, 'accept');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [UNIDENTIFIED_DEBITS_ACCOUNT, 'credit', 4000n],
        [BANK_FEES_ACCOUNT, 'debit', 4000n],
      ]);
      expect(item(fee.itemId).resolution).toBe(`accepted to ${BANK_FEES_ACCOUNT}`);
    });
  });

  it('a bank_fee a rule already booked to bank fees (within the cap) is accepted with nothing posted', () => {
    const { entryId } = bank.entry(
      { direction: 'debit', amountMinor: 250n },
      'bank_fee',
      moveLegs(BANK_FEES_ACCOUNT, BANK_OPERATING_ACCOUNT, 250n),
    );
    const fee = bank.item({
      subject: 'entry:fee-within-cap',
      class: 'bank_fee',
      rowId: entryId,
      amountMinor: -250n,
      bank: { direction: 'debit', bookedTo: BANK_FEES_ACCOUNT },
    });
    const outcome = decisions().decide(fee.itemId, 'accept', { rule: 'bank-fee-cap' });
    expect(outcome).toMatchObject({ txIds: [], resolved: true });
    expect(item(fee.itemId).resolution).toBe(
      `accepted: already booked to ${BANK_FEES_ACCOUNT} by rule bank-fee-cap`,
    );
    expect(balanceOf(db, BANK_FEES_ACCOUNT)).toBe(250n);
  });

  it('`payops reconcile decide` decides bank items through the binary, unchanged', () => {
    const credit = bank.unknownCredit(970n);
    const debit = bank.unknownDebit(300n);
    const file = path.join(book.dir, 'test.db');
    db.close();
    const linked = payops([
      '--db',
      file,
      'reconcile',
      'decide',
      credit.itemId,
      'link',
      '--link-to',
      'po_1',
      '--json',
    ]);
    expect(linked.code, linked.stderr).toBe(0);
    expect(JSON.parse(linked.stdout)).toMatchObject({
      itemId: credit.itemId,
      action: 'link',
      resolved: true,
    });
    const written = payops(['--db', file, 'reconcile', 'decide', debit.itemId, 'write-off']);
    expect(written.stdout).toMatch(
      new RegExp(
        `^${debit.itemId}: write-off: written off to expenses:reconciliation:write-offs; posted #\\d+`,
      ),
    );
    const again = payops(['--db', file, 'reconcile', 'decide', debit.itemId, 'accept']);
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('already resolved')]);
    const refused = payops([
      '--db',
      file,
      'reconcile',
      'decide',
      credit.itemId,
      'note',
      '--note',
      'late',
    ]);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      expect.stringContaining(
        `item ${credit.itemId} is already resolved (linked to psp-payout:sim:po_1:USD)`,
      ),
    ]);
  });

  describe('duplicate', () => {
    it('from another file: a link to the original resolves it and posts nothing', () => {
      const repeat = bank.duplicate('credit', 970n, false);
      expect(decisions().optionsFor(repeat)).toMatchObject({
        proposed: 'link',
        linkTarget: 'original',
      });
      expect(() => decisions().decide(repeat.itemId, 'accept')).toThrow(UsageError);
      const outcome = decisions().decide(repeat.itemId, decisions().optionsFor(repeat).proposed);
      expect(outcome).toMatchObject({ txIds: [], resolved: true });
      expect(decisionsOf(repeat.itemId)).toEqual([['link', 'original', 'tester']]);
    });

    it('twice in the same file: accept (credit) and write-off (debit) empty the suspense it was posted to', () => {
      const credit = bank.duplicate('credit', 970n, true);
      const debit = bank.duplicate('debit', 120n, true);
      expect(decisions().optionsFor(credit).proposed).toBe('note');
      expect(entriesOf(db, decisions().decide(credit.itemId, 'accept').txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 970n],
        [ADJUSTMENTS_ACCOUNT, 'credit', 970n],
      ]);
      expect(entriesOf(db, decisions().decide(debit.itemId, 'write_off').txIds[0])).toEqual([
        [UNIDENTIFIED_DEBITS_ACCOUNT, 'credit', 120n],
        [WRITE_OFFS_ACCOUNT, 'debit', 120n],
      ]);
      expect([
        balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT),
        balanceOf(db, UNIDENTIFIED_DEBITS_ACCOUNT),
      ]).toEqual([0n, 0n]);
    });
  });

  describe('amount_mismatch', () => {
    it("accept books the short part to adjustments as the payout's difference: Σ matches = what the PSP said", () => {
      const short = bank.amountMismatch('sim', 'po_1', 970n, 950n);
      expect(balanceOf(db, IN_TRANSIT)).toBe(20n);
      expect(decisions().optionsFor(short).proposed).toBe('accept');
      const outcome = decisions().decide(short.itemId, 'accept');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [IN_TRANSIT, 'credit', 20n],
        [ADJUSTMENTS_ACCOUNT, 'debit', 20n],
      ]);
      expect(
        matchesOf(db).map((match) => [match.part, match.entry_id === null, match.amount_minor]),
      ).toEqual([
        ['bank', false, 950n],
        ['difference', true, 20n],
      ]);
      expect(balanceOf(db, IN_TRANSIT)).toBe(0n);
      expect(item(short.itemId).status).toBe('resolved');
      expect(() => decisions().decide(short.itemId, 'write_off')).toThrow(/already resolved/);
    });

    it('write-off of a payment above the payout books the excess from write-offs (a gain)', () => {
      const over = bank.amountMismatch('sim', 'po_1', 970n, 1000n);
      const outcome = decisions().decide(over.itemId, 'write_off');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [IN_TRANSIT, 'debit', 30n],
        [WRITE_OFFS_ACCOUNT, 'credit', 30n],
      ]);
      expect(matchesOf(db).map((match) => match.amount_minor)).toEqual([1000n, -30n]);
      expect(balanceOf(db, IN_TRANSIT)).toBe(0n);
    });
  });

  describe('payout_not_received', () => {
    it('write-off of a PSP payout: Dr write-offs / Cr in-transit, its difference recorded; a credit arriving later links and reverses it, one of another amount cannot', () => {
      const waiting = bank.notReceived(PO_1, 970n);
      expect(decisions().optionsFor(waiting).proposed).toBe('note');
      const outcome = decisions().decide(waiting.itemId, 'write_off', {
        note: 'the PSP says it was lost',
      });
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [IN_TRANSIT, 'credit', 970n],
        [WRITE_OFFS_ACCOUNT, 'debit', 970n],
      ]);
      expect(matchesOf(db)).toEqual([
        {
          payout_kind: 'psp_payout',
          part: 'difference',
          entry_id: null,
          payout_ref: 'po_1',
          amount_minor: 970n,
        },
      ]);
      const other = bank.unknownCredit(960n);
      expect(() => decisions().decide(other.itemId, 'link', { linkTo: 'po_1' })).toThrow(
        'link: psp-payout:sim:po_1:USD awaits 0.00 USD, the entry stmt-1.xml:13 is 9.60 USD',
      );
      const late = bank.unknownCredit(970n);
      const linked = decisions().decide(late.itemId, 'link', { linkTo: 'po_1' });
      expect(entriesOf(db, linked.txIds[0])).toEqual([
        [UNIDENTIFIED_CREDITS_ACCOUNT, 'debit', 970n],
        [WRITE_OFFS_ACCOUNT, 'credit', 970n],
      ]);
      expect(matchesOf(db).map((match) => [match.part, match.amount_minor])).toEqual([
        ['difference', 970n],
        ['bank', 970n],
        ['difference', -970n],
      ]);
      expect([balanceOf(db, IN_TRANSIT), balanceOf(db, WRITE_OFFS_ACCOUNT)]).toEqual([0n, 0n]);
    });

    it('write-off of a seller payout: Dr payouts in-transit / Cr write-offs', () => {
      bank.sellerPayout('pay_1', 4000n);
      const waiting = bank.notReceived('seller-payout:pay_1', -4000n);
      const outcome = decisions().decide(waiting.itemId, 'write_off');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [PAYOUTS_IN_TRANSIT_ACCOUNT, 'debit', 4000n],
        [WRITE_OFFS_ACCOUNT, 'credit', 4000n],
      ]);
      expect(matchesOf(db)).toEqual([
        {
          payout_kind: 'seller_payout',
          part: 'difference',
          entry_id: null,
          payout_ref: 'pay_1',
          amount_minor: 4000n,
        },
      ]);
      expect(balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT)).toBe(0n);
    });

    it('link only to an open unknown entry item of its direction', () => {
      bank.sellerPayout('pay_1', 970n);
      const sellerWaiting = bank.notReceived('seller-payout:pay_1', -970n);
      const credit = bank.unknownCredit(970n);
      expect(() =>
        decisions().decide(sellerWaiting.itemId, 'link', { linkTo: credit.itemId }),
      ).toThrow(
        'link: seller-payout:pay_1 is a seller payout (money out); the credit stmt-1.xml:13 cannot be it',
      );
      expect(matchesOf(db)).toEqual([]);
      const waiting = bank.notReceived(PO_1, 970n);
      expect(() =>
        decisions().decide(waiting.itemId, 'link', { linkTo: 'rm_000000000000' }),
      ).toThrow('link: rm_000000000000 is not an open unknown_credit or unknown_debit item');
      expect(() => decisions().decide(waiting.itemId, 'accept')).toThrow(UsageError);
    });
  });

  describe('balance_mismatch', () => {
    it('the first statement of the account: accept books the difference against equity:opening at the end of its closing day', () => {
      // The statement says 100.00 at the start and end of 2026-11-25; the books hold nothing there.
      cleanup();
      ({ db, book, cleanup } = tempBook());
      bank = new BankBook(db);
      bank.statement({ openingMinor: 10_000n, closingMinor: 10_000n });
      const mismatch = bank.balanceMismatch('2026-11-25', 10_000n);
      expect(decisions().optionsFor(mismatch).proposed).toBe('accept');
      const outcome = decisions().decide(mismatch.itemId, 'accept');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [BANK_OPERATING_ACCOUNT, 'debit', 10_000n],
        [OPENING_EQUITY_ACCOUNT, 'credit', 10_000n],
      ]);
      expect(new Ledger(db).getTransaction(outcome.txIds[0]!).effectiveAt).toBe(
        '2026-11-25T23:59:59.999Z',
      );
      expect(item(mismatch.itemId).status).toBe('resolved');
    });

    it('after an earlier statement: the difference goes to adjustments', () => {
      bank.statement({
        openingMinor: 0n,
        closingMinor: 0n,
        openingDate: '2026-11-24',
        closingDate: '2026-11-24',
      });
      bank.statement({
        openingMinor: 0n,
        closingMinor: -500n,
        openingDate: '2026-11-25',
        closingDate: '2026-11-25',
        fileName: 'stmt-2.xml',
      });
      const mismatch = bank.balanceMismatch('2026-11-25', -500n);
      expect(decisions().optionsFor(mismatch).proposed).toBe('note');
      const outcome = decisions().decide(mismatch.itemId, 'accept');
      expect(entriesOf(db, outcome.txIds[0])).toEqual([
        [BANK_OPERATING_ACCOUNT, 'credit', 500n],
        [ADJUSTMENTS_ACCOUNT, 'debit', 500n],
      ]);
    });
  });

  it("posts only balanced transactions in the bank namespace with keys of the item and the decision's sequence", () => {
    const credit = bank.unknownCredit(500n);
    const outcome = decisions().decide(credit.itemId, 'accept');
    const tx = new Ledger(db).getTransaction(outcome.txIds[0]!);
    expect([tx.kind, tx.idempotencyKey, tx.metadata]).toEqual([
      'bank.accept',
      `bank.accept:${credit.itemId}:1`,
      { psp: 'bank', item: credit.itemId, class: 'unknown_credit' },
    ]);
    expect(moveLegs('a', 'b', 1n)).toHaveLength(2);
  });
});
