import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PLAIN } from '../../src/output/palette.js';
import {
  type Choice,
  POST_IT,
  type ReviewPrompts,
  renderItem,
  runReviewSession,
} from '../../src/reconcile/review-session.js';
import { SqliteReviewStore } from '../../src/reconcile/sqlite-review-store.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { type TestBook, capture, lined, payout, tempBook } from './book.js';
import { checkBooks } from '../helpers/check.js';

/** Answers prompts from a script; `interrupt` answers like Ctrl-C does in @inquirer/prompts. */
function scripted(answers: (string | 'interrupt' | 'default')[]) {
  const asked: { message: string; choices?: string[] }[] = [];
  const next = <T>(defaultValue: T | undefined, choices?: Choice<T>[]): T => {
    const answer = answers.shift();
    if (answer === undefined || answer === 'interrupt')
      throw Object.assign(new Error('User force closed the prompt with SIGINT'), {
        name: 'ExitPromptError',
      });
    if (answer === 'default') return defaultValue as T;
    if (choices && !choices.some((choice) => choice.value === answer))
      throw new Error(
        `no choice ${answer} among ${choices.map((choice) => String(choice.value)).join(', ')}`,
      );
    return answer as T;
  };
  const prompts: ReviewPrompts = {
    async select(config) {
      asked.push({ message: config.message, choices: config.choices.map((choice) => choice.name) });
      return next(config.default, config.choices);
    },
    async input(config) {
      asked.push({ message: config.message });
      return next(config.default as never) as string;
    },
  };
  return { prompts, asked };
}

describe('reconcile review session', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  let screen: string[];

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    screen = [];
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
      ['ord_3', '5.00'],
    ]);
    const rows = [
      capture('ord_1', 2600n),
      capture('ord_2', 1000n, { feeMinor: 40n }),
      capture('ord_3', 500n),
      capture('ord_3', 500n),
    ];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
  });
  afterEach(() => cleanup());

  const review = (answers: (string | 'interrupt' | 'default')[], filter = {}, yes = false) => {
    const { prompts, asked } = scripted(answers);
    return {
      asked,
      tally: runReviewSession(
        new SqliteReviewStore(db, { clock: book.clock, by: 'alice', runId: null }),
        { out: (text) => screen.push(text), style: PLAIN, prompts },
        filter,
        { yes },
      ),
    };
  };

  it('walks the open items biggest money first and records each decision with who, when and its postings', async () => {
    // The duplicate's proposal is a link to the row it repeats, whose target is asked (and preset).
    const { tally, asked } = review([
      'default',
      'default',
      'note',
      'asked the PSP',
      'default',
      'y',
    ]);
    expect(await tally).toEqual({ decided: 3, skipped: 0, open: 1, interrupted: false });
    const shown = screen.join('\n');
    // duplicate (5.00) and amount (+1.00) and fee (+0.10): biggest first.
    expect(shown.indexOf('duplicate')).toBeLessThan(shown.indexOf('amount_mismatch'));
    expect(shown.indexOf('amount_mismatch')).toBeLessThan(shown.indexOf('fee_mismatch'));
    expect(asked[0]?.choices).toEqual([
      'Link to another record (proposed)',
      "Accept the PSP's figure",
      'Keep open with a note',
      'Skip',
    ]);
    const decisions = new ReconStore(db).decisions(null);
    expect(
      decisions.map((decision) => [
        decision.class,
        decision.action,
        decision.decidedBy,
        decision.note,
      ]),
    ).toEqual([
      ['duplicate', 'link', 'alice', ''],
      ['amount_mismatch', 'note', 'alice', 'asked the PSP'],
      ['fee_mismatch', 'accept', 'alice', ''],
    ]);
    expect(decisions[2]?.txIds.length).toBe(2); // the fee difference, and the row's settlement
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('shows both sides with the fields that differ marked', async () => {
    const item = new ReconStore(db)
      .openItems()
      .find((candidate) => candidate.class === 'amount_mismatch')!;
    const panel = renderItem(item, 1, 3, PLAIN);
    expect(panel).toContain('amount_mismatch');
    expect(panel).toMatch(/ ≠ {3}gross +25\.00 +26\.00/);
    expect(panel).toMatch(/ ≠ {3}net +24\.70 +25\.70/);
    expect(panel).toMatch(/\n {5}fee +0\.30 +0\.30/);
    expect(panel).toMatch(/\n {5}reference +ch_ord_1 +ch_ord_1/);
  });

  it('a duplicate shows the row it repeats: file, line, reference and amount (issue 15)', async () => {
    // The store's reads are awaited: the panel is on screen once the (interrupted) session ends.
    await review(['interrupt'], { class: 'duplicate' }).tally;
    const shown = screen.join('\n');
    expect(shown).toMatch(/ {3}repeats +day\.csv:4 capture ch_ord_3 gross 5\.00 net 4\.70 USD/);
  });

  it('a decision that posts money says what it posts and asks first: Enter goes back, a note confirms and is recorded (issue 15)', async () => {
    const { tally, asked } = review(['accept', '', 'accept', 'note: rounding, ticket 12'], {
      class: 'fee_mismatch',
    });
    expect(await tally).toMatchObject({ decided: 1, open: 0, interrupted: false });
    expect(asked.map((question) => question.message)).toEqual([
      'Decision',
      POST_IT,
      'Decision',
      POST_IT,
    ]);
    expect(screen.join('\n')).toContain(
      'posts money: book the fee difference +0.10 USD to expenses:psp-fees and settle the row',
    );
    const decisions = new ReconStore(db).decisions(null);
    expect(decisions.map((decision) => [decision.class, decision.action, decision.note])).toEqual([
      ['fee_mismatch', 'accept', 'rounding, ticket 12'],
    ]);
  });

  // Review of issue 15: any answer but y/n/Enter was taken as a note and posted.
  it.each([['cancel'], ['nope'], ['stop'], ['abort'], ['no way']])(
    'answering %j to "Post it?" posts nothing and goes back to the choices',
    async (answer) => {
      const { tally, asked } = review(['accept', answer, 'interrupt'], { class: 'fee_mismatch' });
      expect(await tally).toMatchObject({ decided: 0, open: 1, interrupted: true });
      expect(asked.map((question) => question.message)).toEqual(['Decision', POST_IT, 'Decision']);
      expect(screen.join('\n')).toContain('not posted');
      expect(new ReconStore(db).decisions(null)).toEqual([]);
    },
  );

  it('"y" or "yes" posts without a note', async () => {
    const { tally } = review(['accept', 'YES'], { class: 'fee_mismatch' });
    expect(await tally).toMatchObject({ decided: 1, open: 0 });
    expect(
      new ReconStore(db).decisions(null).map((decision) => [decision.action, decision.note]),
    ).toEqual([['accept', '']]);
  });

  it('an empty "note:" posts nothing and goes back', async () => {
    const { tally } = review(['accept', 'note:  ', 'interrupt'], { class: 'fee_mismatch' });
    expect(await tally).toMatchObject({ decided: 0, open: 1 });
    expect(new ReconStore(db).decisions(null)).toEqual([]);
  });

  it('--yes posts without asking', async () => {
    const { tally, asked } = review(['accept'], { class: 'fee_mismatch' }, true);
    expect(await tally).toMatchObject({ decided: 1, open: 0 });
    expect(asked.map((question) => question.message)).toEqual(['Decision']);
  });

  it('Ctrl-C stops the session and keeps every decision taken before it', async () => {
    const { tally } = review(['default', 'default', 'interrupt']);
    expect(await tally).toEqual({ decided: 1, skipped: 0, open: 2, interrupted: true });
    expect(new ReconStore(db).decisions(null)).toHaveLength(1);
  });

  it('skip records nothing; a refused decision is said and asked again', async () => {
    const item = new ReconStore(db)
      .openItems()
      .find((candidate) => candidate.class === 'duplicate')!;
    const { tally } = review(['link', 'ord_404', 'skip', 'interrupt'], { class: 'duplicate' });
    expect(await tally).toMatchObject({ decided: 0, skipped: 1, open: 1 });
    expect(screen.join('\n')).toContain(
      '✗ link: a duplicate links to the row it repeats ("original"), not ord_404',
    );
    expect(new ReconStore(db).item(item.itemId)?.status).toBe('open');
    expect(new ReconStore(db).decisions(null)).toEqual([]);
  });
});

/** Review of issue 15: a link posts money (it settles the row, clears a suspense or settles a batch): it is confirmed too. */
describe('reconcile review session: a link that posts money is confirmed', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  let screen: string[];

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    screen = [];
    await book.charge([['ord_1', '25.00']]);
    const rows = [capture('ord_1', 2500n), capture('ord_late', 999n)];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
    await book.charge([['ord_late', '9.99']]);
  });
  afterEach(() => cleanup());

  const review = (answers: (string | 'interrupt' | 'default')[], yes = false) => {
    const { prompts, asked } = scripted(answers);
    return {
      asked,
      tally: runReviewSession(
        new SqliteReviewStore(db, { clock: book.clock, by: 'alice', runId: null }),
        { out: (text) => screen.push(text), style: PLAIN, prompts },
        { class: 'missing_internal' },
        { yes },
      ),
    };
  };
  const links = () =>
    new ReconStore(db).decisions(null).filter((decision) => decision.action === 'link');

  it('asks "Post it?" after the target; "cancel" posts nothing, "y" posts', async () => {
    const { tally, asked } = review(['link', 'ord_late', 'cancel', 'link', 'ord_late', 'y']);
    expect(await tally).toMatchObject({ decided: 1, open: 0 });
    expect(asked.map((question) => question.message)).toEqual([
      'Decision',
      'Link to (order, refund or dispute id, or item id)',
      POST_IT,
      'Decision',
      'Link to (order, refund or dispute id, or item id)',
      POST_IT,
    ]);
    expect(screen.join('\n')).toContain('posts money: link to ord_late:');
    expect(links()).toHaveLength(1);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });

  it('--yes links without asking', async () => {
    const { tally, asked } = review(['link', 'ord_late'], true);
    expect(await tally).toMatchObject({ decided: 1, open: 0 });
    expect(asked.map((question) => question.message)).toEqual([
      'Decision',
      'Link to (order, refund or dispute id, or item id)',
    ]);
    expect(links()).toHaveLength(1);
  });
});
