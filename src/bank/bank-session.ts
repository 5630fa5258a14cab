import { failpoint } from '../failpoints.js';
import type { Ledger, PostingRequest } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import { Items } from '../reconcile/items.js';
import type { ItemRecord, ReconStore } from '../reconcile/store.js';
import type { RuleAction } from '../reconcile/summary.js';
import { BANK_SOURCE } from './accounts.js';
import { previousDay } from './business-days.js';
import {
  type EntryPlan,
  type ExpectedPayout,
  type ExpectedPspPayout,
  type ExpectedSellerPayout,
  type ImportedKeys,
  duplicateKey,
  entryFingerprint,
  planStatement,
} from './match/index.js';
import {
  type EntryFacts,
  bankEffectiveAt,
  bankFeePosting,
  payoutReceivedPosting,
  payoutsLeftPosting,
  suspenseOf,
  unidentifiedPosting,
} from '../postings/index.js';
import { bankRulesJson, feeCapOf, windowDaysOf } from './rules.js';
import type { BankStore, StatementBalance } from './store.js';
import { type BankRunSummary, type StatementLine, summarize } from './summary.js';
import type { BankRunOptions, StatementInput } from './statement-import-store.js';
import type { BankEntry, StatementFooter, StatementHeader, StatementPart } from './types.js';
import {
  balanceSubject,
  bankDuplicateSubject,
  entrySubject,
  parsePayoutRef,
  payoutRef,
  sideOfEntry,
  sideOfPayout,
} from './views.js';

/** Entries whose ledger transactions are prepared, hashed and written in one pass: bounds the requests held at once. */
const POSTING_BATCH = 1000;

function sameFileDuplicateWhy(originalLine: number | null): string {
  return `the same entry as line ${originalLine ?? '?'} of this file: the bank moved it twice, so it is held in suspense`;
}

interface StatementContext {
  header: StatementHeader;
  statementId: bigint;
}

/** An entry being applied: where it is, and its facts for the postings. */
interface EntryAt {
  context: StatementContext;
  entry: BankEntry;
  entryId: bigint;
  source: string;
  facts: EntryFacts;
}

interface EntryItemSpec {
  class: ItemRecord['class'];
  subject?: string;
  ours: ExpectedPayout | null;
  why: string;
  bookedTo: string | null;
  internalRef?: string | null;
  probableRef?: string | null;
  amountMinor?: bigint;
}

interface OpenStatement {
  header: StatementHeader;
  entries: BankEntry[];
}

/** The stores a statement import works with besides reconciliation's, built from the file's connection (src/bank/sqlite-bank-stores.ts). */
export interface BankSessionStores {
  readonly bank: BankStore;
  readonly ledger: Ledger;
}

/**
 * The body of `reconcile bank`'s unit of work on SQLite (src/bank/sqlite-statement-import-store.ts
 * runs it inside the file's one transaction): each statement of the file is stored, planned against
 * the payouts payops expects, posted to assets:bank:operating, and its balances compared with the
 * books; then every open bank item the file settled closes by itself. Planning is pure
 * (src/bank/match/); applying it still calls today's synchronous stores step by step.
 */
export class BankSession {
  readonly runId: bigint;
  private readonly store: BankStore;
  private readonly ledger: Ledger;
  private readonly items: Items;
  private readonly at: string;
  private open: OpenStatement | undefined;
  /** Duplicate keys of this file's entries so far, with their lines. */
  private readonly fileKeys = new Map<string, number>();
  private readonly statements: StatementLine[] = [];
  private readonly accounts = new Map<string, { account: string; currency: Currency }>();
  private readonly ruleActions: RuleAction[] = [];
  /** Per account and currency, the earliest day this file's statements and postings reach. */
  private readonly reach = new Map<string, string>();
  private posted = 0;
  private matchedPsp = 0;
  private matchedSeller = 0;
  private entryCount = 0;

  constructor(
    stores: BankSessionStores,
    private readonly recon: ReconStore,
    private readonly input: StatementInput,
    private readonly options: BankRunOptions,
  ) {
    this.at = new Date(options.clock()).toISOString();
    this.store = stores.bank;
    this.ledger = stores.ledger;
    this.runId = recon.insertRun({
      psp: BANK_SOURCE,
      fileSha256: input.sha256,
      fileName: input.name,
      fileBytes: input.bytes,
      format: input.format,
      graceDays: windowDaysOf(options.rules, '*', options.windowDaysOverride),
      rules: JSON.stringify({ bank: bankRulesJson(options.rules, options.windowDaysOverride) }),
      runBy: options.by,
      at: this.at,
    });
    this.items = new Items(recon, BANK_SOURCE, this.runId, this.at);
  }

  take(part: StatementPart): void {
    if (part.kind === 'statement') this.open = { header: part.header, entries: [] };
    else if (part.kind === 'entry') this.open?.entries.push(part.entry);
    else if (this.open) {
      this.statement(this.open, part.footer, part.skipped);
      this.open = undefined;
    }
  }

  private statement(open: OpenStatement, footer: StatementFooter, skipped: number): void {
    const { header, entries } = open;
    let creditsMinor = 0n;
    let debitsMinor = 0n;
    for (const entry of entries) {
      if (entry.direction === 'credit') creditsMinor += entry.amountMinor;
      else debitsMinor += entry.amountMinor;
    }
    const statementId = this.store.insertStatement(this.runId, header, footer, {
      creditsMinor,
      debitsMinor,
      entryCount: entries.length,
      skipped,
    });
    const entryIds = entries.map((entry) =>
      this.store.insertEntry(
        statementId,
        this.runId,
        entry,
        entryFingerprint(header.account, entry),
      ),
    );
    this.entryCount += entries.length;
    failpoint('bank.after-import');
    const plan = planStatement(
      {
        account: header.account,
        currency: header.currency,
        closingDate: footer.closing.date,
        entries,
      },
      this.store.expectedPspPayouts(header.currency),
      this.store.expectedSellerPayouts(header.currency),
      this.importedKeys(header, entries),
      {
        windowDays: (psp) => windowDaysOf(this.options.rules, psp, this.options.windowDaysOverride),
      },
    );
    for (const [key, line] of plan.keys) if (!this.fileKeys.has(key)) this.fileKeys.set(key, line);
    const context: StatementContext = { header, statementId };
    for (let start = 0; start < entries.length; start += POSTING_BATCH) {
      const end = Math.min(start + POSTING_BATCH, entries.length);
      const batch: EntryAt[] = [];
      for (let index = start; index < end; index++)
        batch.push(this.entryAt(context, entries[index] as BankEntry, entryIds[index] as bigint));
      this.applyBatch(batch, plan.entries.slice(start, end));
    }
    for (const late of plan.notReceived) this.notReceived(context, late.payout, late.dueDay);
    failpoint('bank.after-posting');
    this.statements.push(
      this.balances(
        header,
        footer,
        statementId,
        entries.length,
        skipped,
        creditsMinor,
        debitsMinor,
      ),
    );
    const key = `${header.account}\u0000${header.currency}`;
    this.accounts.set(key, { account: header.account, currency: header.currency });
    const earliest = entries.reduce(
      (day, entry) => (entry.bookingDate < day ? entry.bookingDate : day),
      header.opening.date,
    );
    const reached = this.reach.get(key);
    if (reached === undefined || earliest < reached) this.reach.set(key, earliest);
  }

  private importedKeys(header: StatementHeader, entries: readonly BankEntry[]): ImportedKeys {
    const otherFiles = new Set<string>();
    for (const entry of entries) {
      const ref = entry.accountServicerRef;
      const elsewhere =
        ref !== null && ref.trim() !== ''
          ? this.store.refImportedElsewhere(header.account, header.currency, ref, this.runId)
          : this.store.fingerprintImportedElsewhere(
              entryFingerprint(header.account, entry),
              this.runId,
            );
      if (elsewhere) otherFiles.add(duplicateKey(header.account, entry));
    }
    return { otherFiles, thisFile: this.fileKeys };
  }

  private entryAt(context: StatementContext, entry: BankEntry, entryId: bigint): EntryAt {
    const source = `${this.input.name}:${entry.line}`;
    return {
      context,
      entry,
      entryId,
      source,
      facts: {
        entryId,
        currency: entry.currency,
        amountMinor: entry.amountMinor,
        bookingDate: entry.bookingDate,
        source,
      },
    };
  }

  /**
   * Posts a run of entries' ledger transactions in one pass (one transaction per entry still, each
   * with its own key, in the entries' order, so ids and hashes are what one call per entry gave),
   * then writes each entry's matches, item and outcome with its transaction's id.
   */
  private applyBatch(batch: readonly EntryAt[], plans: readonly EntryPlan[]): void {
    const requests: PostingRequest[] = [];
    const requestIndex: (number | null)[] = batch.map((at, index) => {
      const request = this.postingOf(at, plans[index] as EntryPlan);
      if (request === null) return null;
      requests.push(request);
      return requests.length - 1;
    });
    const results =
      requests.length === 0
        ? []
        : this.ledger.postBatchWithin(
            requests,
            (index) => `${this.input.name} ${requests[index]?.idempotencyKey ?? index}`,
          );
    for (const result of results) if (result.created) this.posted++;
    batch.forEach((at, index) => {
      const posted = requestIndex[index];
      const txId =
        posted === null || posted === undefined ? null : (results[posted] as { txId: number }).txId;
      this.apply(at, plans[index] as EntryPlan, txId);
    });
  }

  /** The ledger transaction an entry's plan posts at import, or null when it posts none (a duplicate of another file's entry). */
  private postingOf(at: EntryAt, plan: EntryPlan): PostingRequest | null {
    const { entry, facts } = at;
    switch (plan.class) {
      case 'matched':
        return plan.match === 'psp_payout'
          ? payoutReceivedPosting(facts, plan.payout.psp, plan.payout.batchId)
          : payoutsLeftPosting(
              facts,
              plan.payouts.map((p) => p.payoutId),
            );
      case 'amount_mismatch':
        return payoutReceivedPosting(facts, plan.payout.psp, plan.payout.batchId);
      case 'unknown_credit':
      case 'unknown_debit':
        return unidentifiedPosting(facts, entry.direction, plan.why);
      case 'bank_fee':
        return this.feeWithinCap(entry)
          ? bankFeePosting(facts)
          : unidentifiedPosting(facts, 'debit', this.feeAboveCapWhy(entry));
      case 'duplicate':
        return plan.of === 'other_file'
          ? null
          : unidentifiedPosting(facts, entry.direction, sameFileDuplicateWhy(plan.originalLine));
    }
  }

  /** The rest of an entry's plan once its transaction is posted (`txId` null when it posted none). */
  private apply(at: EntryAt, plan: EntryPlan, txId: number | null): void {
    const { entry, entryId } = at;
    switch (plan.class) {
      case 'matched':
        if (plan.match === 'psp_payout') this.received(at, plan.payout, txId as number);
        else this.left(at, plan.payouts, txId as number);
        return;
      case 'amount_mismatch':
        this.receivedShort(at, plan.payout, plan.differenceMinor, txId as number);
        return;
      case 'unknown_credit':
      case 'unknown_debit': {
        const itemId = this.entryItem(at, {
          class: plan.class,
          ours: plan.probable,
          probableRef: plan.probable ? payoutRef(plan.probable) : null,
          bookedTo: suspenseOf(entry.direction),
          why: plan.why,
        });
        this.store.setOutcome(entryId, plan.class, itemId, txId);
        return;
      }
      case 'bank_fee':
        this.bankFee(at, txId as number);
        return;
      case 'duplicate':
        this.duplicate(at, plan.of, plan.originalLine, txId);
        return;
    }
  }

  private entryItem(at: EntryAt, spec: EntryItemSpec): bigint {
    const { entry, context } = at;
    return this.items.upsert({
      subject: spec.subject ?? entrySubject(context.header.account, entry, this.input.sha256),
      class: spec.class,
      rowId: at.entryId,
      internalRef: spec.internalRef ?? null,
      probableRef: spec.probableRef ?? null,
      batchId: spec.ours?.kind === 'psp_payout' ? spec.ours.payout.batchId : null,
      currency: entry.currency,
      amountMinor:
        spec.amountMinor ?? (entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor),
      detail: {
        ours: spec.ours ? sideOfPayout(spec.ours) : null,
        theirs: sideOfEntry(entry, at.source),
        why: spec.why,
        bank: {
          account: context.header.account,
          statementRef: context.header.statementId,
          source: at.source,
          entryId: at.entryId.toString(),
          direction: entry.direction,
          bookingDate: entry.bookingDate,
          dueBy: null,
          bookedTo: spec.bookedTo,
        },
      },
    }).id;
  }

  private received(at: EntryAt, payout: ExpectedPspPayout, txId: number): void {
    this.match({ kind: 'psp_payout', payout }, at.entryId, payout.amountMinor, txId);
    this.matchedPsp++;
    this.store.setOutcome(at.entryId, 'matched', null, txId);
  }

  private left(at: EntryAt, payouts: readonly ExpectedSellerPayout[], txId: number): void {
    for (const payout of payouts)
      this.match({ kind: 'seller_payout', payout }, at.entryId, payout.amountMinor, txId);
    this.matchedSeller += payouts.length;
    this.store.setOutcome(at.entryId, 'matched', null, txId);
  }

  /** Received with the bank's amount; the difference stays in transit, and the item open for it. */
  private receivedShort(
    at: EntryAt,
    payout: ExpectedPspPayout,
    differenceMinor: bigint,
    txId: number,
  ): void {
    const ours: ExpectedPayout = { kind: 'psp_payout', payout };
    const why = `names PSP payout ${payout.batchId} but the bank received ${differenceMinor < 0n ? 'less' : 'more'} than the PSP said it paid; booked as received with the bank's amount`;
    const itemId = this.entryItem(at, {
      class: 'amount_mismatch',
      ours,
      internalRef: payoutRef(ours),
      amountMinor: differenceMinor,
      bookedTo: null,
      why,
    });
    this.match(ours, at.entryId, at.entry.amountMinor, txId);
    this.matchedPsp++;
    this.store.setOutcome(at.entryId, 'amount_mismatch', itemId, txId);
  }

  /** From another file: nothing posted (the books hold it once); earlier in this file: the bank moved it twice, held in suspense. */
  private duplicate(
    at: EntryAt,
    of: 'other_file' | 'same_file',
    originalLine: number | null,
    txId: number | null,
  ): void {
    const subject = bankDuplicateSubject(this.input.sha256, at.entry.line);
    if (of === 'other_file') {
      const itemId = this.entryItem(at, {
        class: 'duplicate',
        subject,
        ours: null,
        bookedTo: null,
        why: 'another statement file already had this entry (same bank reference, or the same fingerprint); the books hold it once: nothing posted',
      });
      this.store.setOutcome(at.entryId, 'duplicate', itemId, null);
      return;
    }
    const why = sameFileDuplicateWhy(originalLine);
    const itemId = this.entryItem(at, {
      class: 'duplicate',
      subject,
      ours: null,
      bookedTo: suspenseOf(at.entry.direction),
      why,
    });
    this.store.setOutcome(at.entryId, 'duplicate', itemId, txId);
  }

  private feeWithinCap(entry: BankEntry): boolean {
    const capMinor = feeCapOf(this.options.rules, entry.currency);
    return capMinor > 0n && entry.amountMinor <= capMinor;
  }

  private feeAboveCapWhy(entry: BankEntry): string {
    return feeCapOf(this.options.rules, entry.currency) === 0n
      ? `a bank charge; no fee cap for ${entry.currency}, so it waits for a decision`
      : 'a bank charge above the fee cap: held in suspense until a person accepts it';
  }

  /** A bank charge: within the cap the rule booked it and resolves its item; above, it waits in suspense. */
  private bankFee(at: EntryAt, txId: number): void {
    const { entry, facts } = at;
    if (this.feeWithinCap(entry)) {
      const capMinor = feeCapOf(this.options.rules, entry.currency);
      const itemId = this.entryItem(at, {
        class: 'bank_fee',
        ours: null,
        bookedTo: null,
        why: 'a bank charge within the fee cap, booked to expenses:bank-fees by the rule bank-fee-cap',
      });
      const message = `booked to expenses:bank-fees: within the fee cap of ${formatAmount(capMinor, entry.currency)} ${entry.currency}`;
      this.recon.insertDecision({
        itemRowId: itemId,
        action: 'accept',
        class: 'bank_fee',
        rule: 'bank-fee-cap',
        runId: this.runId,
        decidedBy: this.options.by,
        decidedAt: this.at,
        note: message,
        linkedTo: null,
        txIds: [txId],
      });
      const record = this.recon.itemById(itemId) as ItemRecord;
      this.items.resolve(record, `accepted by rule bank-fee-cap: ${message}`, this.options.by);
      this.ruleActions.push({
        rule: 'bank-fee-cap',
        itemId: record.itemId,
        class: 'bank_fee',
        action: 'accept',
        currency: entry.currency,
        amountMinor: (-entry.amountMinor).toString(),
        applied: true,
        message,
      });
      this.store.setOutcome(facts.entryId, 'bank_fee', itemId, txId);
      return;
    }
    this.store.setOutcome(
      facts.entryId,
      'bank_fee',
      this.entryItem(at, {
        class: 'bank_fee',
        ours: null,
        bookedTo: suspenseOf('debit'),
        why: this.feeAboveCapWhy(entry),
      }),
      txId,
    );
  }

  private match(
    expected: ExpectedPayout,
    entryId: bigint,
    amountMinor: bigint,
    txId: number,
  ): void {
    const payoutRefValue =
      expected.kind === 'psp_payout' ? expected.payout.batchId : expected.payout.payoutId;
    this.store.insertMatch({
      payoutKind: expected.kind,
      part: 'bank',
      entryId,
      itemId: null,
      psp: expected.payout.psp,
      payoutRef: payoutRefValue,
      currency: expected.payout.currency,
      amountMinor,
      txId,
      runId: this.runId,
      at: this.at,
    });
  }

  private notReceived(
    context: { header: StatementHeader },
    payout: ExpectedPayout,
    dueBy: string,
  ): void {
    const ref = payoutRef(payout);
    const existing = this.recon.item(this.items.itemIdOf(ref));
    if (existing?.status === 'resolved') return; // decided (written off, linked): not expected again
    const amountMinor =
      payout.kind === 'psp_payout' ? payout.payout.amountMinor : -payout.payout.amountMinor;
    const what =
      payout.kind === 'psp_payout'
        ? `PSP payout ${payout.payout.batchId} of ${payout.payout.psp}, paid ${payout.payout.payoutDate}`
        : `seller payout ${payout.payout.payoutId}, sent ${payout.payout.sentDate}`;
    this.items.upsert({
      subject: ref,
      class: 'payout_not_received',
      rowId: null,
      internalRef: ref,
      probableRef: null,
      batchId: payout.kind === 'psp_payout' ? payout.payout.batchId : null,
      currency: payout.payout.currency,
      amountMinor,
      detail: {
        ours: sideOfPayout(payout),
        theirs: null,
        why: `${what}, was due at the bank by ${dueBy}; the statements up to ${this.input.name} do not show it`,
        bank: {
          account: context.header.account,
          statementRef: context.header.statementId,
          source: this.input.name,
          entryId: null,
          direction: payout.kind === 'psp_payout' ? 'credit' : 'debit',
          bookingDate: null,
          dueBy,
          bookedTo: null,
        },
      },
    });
  }

  /** The statement's balances beside the books' operating account after its postings; a difference is an item. */
  private balances(
    header: StatementHeader,
    footer: StatementFooter,
    statementId: bigint,
    entries: number,
    skipped: number,
    creditsMinor: bigint,
    debitsMinor: bigint,
  ): StatementLine {
    const openingBooksMinor = this.store.operatingBalance(
      header.currency,
      bankEffectiveAt(previousDay(header.opening.date)),
    );
    const closingBooksMinor = this.store.operatingBalance(
      header.currency,
      bankEffectiveAt(footer.closing.date),
    );
    const line: StatementLine = {
      statementRef: header.statementId,
      account: header.account,
      currency: header.currency,
      openingDate: header.opening.date,
      openingMinor: header.opening.amountMinor.toString(),
      closingDate: footer.closing.date,
      closingMinor: footer.closing.amountMinor.toString(),
      creditsMinor: creditsMinor.toString(),
      debitsMinor: debitsMinor.toString(),
      entries,
      skipped,
      openingBooksMinor: openingBooksMinor.toString(),
      closingBooksMinor: closingBooksMinor.toString(),
    };
    const balance: StatementBalance = {
      statementId,
      account: header.account,
      currency: header.currency,
      statementRef: header.statementId,
      source: `${this.input.name}:${header.line}`,
      openingDate: header.opening.date,
      openingMinor: header.opening.amountMinor,
      closingDate: footer.closing.date,
      closingMinor: footer.closing.amountMinor,
    };
    this.compareBalances(balance, openingBooksMinor, closingBooksMinor);
    return line;
  }

  /** A statement's balances beside the books' operating account on its dates: a difference opens (or reopens) its balance_mismatch item. */
  private compareBalances(
    statement: StatementBalance,
    openingBooksMinor: bigint,
    closingBooksMinor: bigint,
  ): void {
    if (
      openingBooksMinor === statement.openingMinor &&
      closingBooksMinor === statement.closingMinor
    )
      return;
    const closingDifference = statement.closingMinor - closingBooksMinor;
    const first = !this.store.hasEarlierStatement(
      statement.account,
      statement.currency,
      statement.statementId,
    );
    this.items.upsert({
      subject: balanceSubject(statement.account, statement.currency, statement.closingDate),
      class: 'balance_mismatch',
      rowId: null,
      internalRef: null,
      probableRef: null,
      batchId: null,
      currency: statement.currency,
      amountMinor:
        closingDifference !== 0n ? closingDifference : statement.openingMinor - openingBooksMinor,
      detail: {
        ours: null,
        theirs: null,
        why: `the bank's balances differ from the books' assets:bank:operating (opening ${statement.openingDate}: bank ${statement.openingMinor}, books ${openingBooksMinor}; closing ${statement.closingDate}: bank ${statement.closingMinor}, books ${closingBooksMinor}, in minor units)${first ? "; the first statement of this account: the bank's history before payops" : ''}`,
        bank: {
          account: statement.account,
          statementRef: statement.statementRef,
          source: statement.source,
          entryId: null,
          direction: null,
          bookingDate: null,
          dueBy: null,
          bookedTo: null,
          balances: {
            openingDate: statement.openingDate,
            openingBankMinor: statement.openingMinor.toString(),
            openingBooksMinor: openingBooksMinor.toString(),
            closingDate: statement.closingDate,
            closingBankMinor: statement.closingMinor.toString(),
            closingBooksMinor: closingBooksMinor.toString(),
          },
        },
      },
    });
  }

  /**
   * Statements of earlier files that this file's postings reach (it booked entries on or before
   * their closing day: an earlier day imported late, an overlapping file) are compared again: a
   * difference accepted before, or a balance that agreed, may no longer hold, and is said again.
   */
  private recheckEarlierStatements(): void {
    for (const [key, fromDate] of this.reach) {
      const { account, currency } = this.accounts.get(key) as {
        account: string;
        currency: Currency;
      };
      for (const statement of this.store.statementsClosingFrom(
        account,
        currency,
        fromDate,
        this.runId,
      )) {
        const opening = this.store.operatingBalance(
          currency,
          bankEffectiveAt(previousDay(statement.openingDate)),
        );
        const closing = this.store.operatingBalance(
          currency,
          bankEffectiveAt(statement.closingDate),
        );
        this.compareBalances(statement, opening, closing);
      }
    }
  }

  /** After every statement: open bank items the file settled close by themselves. */
  finishFile(): void {
    this.recheckEarlierStatements();
    for (const item of this.recon.openItems(BANK_SOURCE)) {
      if (item.class === 'payout_not_received') this.resolveIfReceived(item);
      else if (item.class === 'balance_mismatch') this.resolveIfBalanced(item);
    }
  }

  private resolveIfReceived(item: ItemRecord): void {
    const payout = item.internalRef === null ? undefined : parsePayoutRef(item.internalRef);
    if (!payout) return;
    const received =
      payout.kind === 'psp_payout'
        ? this.store.receivedBy('psp_payout', payout.psp, payout.batchId, payout.currency)
        : this.store.receivedSellerPayout(payout.payoutId, item.currency);
    if (received) this.items.resolve(item, `received: ${received.source}`, this.options.by);
  }

  private resolveIfBalanced(item: ItemRecord): void {
    const balances = item.detail.bank?.balances;
    if (!balances || !this.accounts.has(`${item.detail.bank?.account}\u0000${item.currency}`))
      return;
    const opening = this.store.operatingBalance(
      item.currency,
      bankEffectiveAt(previousDay(balances.openingDate)),
    );
    const closing = this.store.operatingBalance(
      item.currency,
      bankEffectiveAt(balances.closingDate),
    );
    if (
      opening.toString() === balances.openingBankMinor &&
      closing.toString() === balances.closingBankMinor
    )
      this.items.resolve(
        item,
        'balanced: the books now agree with the bank on both dates',
        this.options.by,
      );
  }

  finish(): BankRunSummary {
    this.items.recordOpenAtEnd();
    const summary = summarize({
      recon: this.recon,
      store: this.store,
      runId: this.runId,
      input: this.input,
      statements: this.statements,
      rules: this.ruleActions,
      windowDays: windowDaysOf(this.options.rules, '*', this.options.windowDaysOverride),
      postedTransactions: this.posted,
      matchedPayouts: { psp: this.matchedPsp, seller: this.matchedSeller },
    });
    this.recon.finishRun(
      this.runId,
      this.entryCount,
      0,
      summary.periodEnd,
      new Date(this.options.clock()).toISOString(),
      JSON.stringify(summary),
    );
    return summary;
  }
}
