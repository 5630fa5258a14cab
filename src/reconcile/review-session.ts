import { PayopsError } from '../errors.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { DecisionAction } from './decision.js';
import type { ReviewFilter } from './report.js';
import type { ReviewStore } from './review-store.js';
import type { LegPanel } from './source-leg.js';
import type { ItemRecord, SideView, StoredRow } from './store.js';

type Style = (text: string) => string;

/** The few styles the panel uses; plain text when colour is off (NO_COLOR, --no-color, no TTY). */
export interface ReviewStyle {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
  green: Style;
}

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

/** The prompts the session asks through: @inquirer/prompts in the CLI, a script in tests. */
export interface ReviewPrompts {
  select<T>(config: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  input(config: { message: string; default?: string }): Promise<string>;
}

/**
 * Decisions that post money: each is confirmed before it posts, unless `--yes`. A link posts too
 * (it settles the row in its batch, clears a suspense or settles a batch), except a duplicate's.
 */
const POSTS_MONEY: ReadonlySet<DecisionAction> = new Set(['accept', 'write_off', 'link']);
export const POST_IT =
  'Post it? y posts, "note: why" posts with that note; anything else goes back';
/** Only an explicit yes, or an explicit note, posts: "cancel", "stop" or a typo never does. */
const CONFIRM = /^(y|yes)$/i;
const NOTE = /^note:(.*)$/is;

/** The answer to "Post it?": post (with a note or none), or go back to the choices. */
export function confirmAnswer(answer: string): { post: true; note?: string } | { post: false } {
  const trimmed = answer.trim();
  if (CONFIRM.test(trimmed)) return { post: true };
  const note = NOTE.exec(trimmed)?.[1]?.trim() ?? '';
  return note === '' ? { post: false } : { post: true, note };
}

export interface ReviewTally {
  decided: number;
  skipped: number;
  /** Open items left when the session ended. */
  open: number;
  /** Ended by Ctrl-C: everything decided before it is saved. */
  interrupted: boolean;
}

const LABELS: Record<DecisionAction | 'skip', string> = {
  accept: "Accept the PSP's figure",
  write_off: 'Write off',
  link: 'Link to another record',
  note: 'Keep open with a note',
  skip: 'Skip',
};

/**
 * Walks the open items biggest money first: both sides, the differing fields marked, a proposed
 * action, and the choices. Each decision is its own transaction, so Ctrl-C (which the prompts
 * report as an ExitPromptError) leaves everything decided so far saved.
 */
export async function runReviewSession(
  store: ReviewStore,
  io: { out: (text: string) => void; style: ReviewStyle; prompts: ReviewPrompts },
  filter: ReviewFilter,
  context: { yes?: boolean } = {},
): Promise<ReviewTally> {
  const queue = await store.toReview(filter);
  const tally: ReviewTally = { decided: 0, skipped: 0, open: 0, interrupted: false };
  try {
    for (let index = 0; index < queue.length; index++) {
      const item = await store.item((queue[index] as ItemRecord).itemId);
      if (item.status !== 'open') continue; // closed by an earlier decision (e.g. a batch whose rows were resolved)
      const repeated =
        item.class === 'duplicate' && item.rowId !== null
          ? await store.repeatedRow(item.rowId)
          : undefined;
      const leg = await store.legView(item);
      io.out(renderItem(item, index + 1, queue.length, io.style, repeated, leg?.panel));
      const options = await store.optionsFor(item);
      io.out(`${io.style.bold('proposed:')} ${LABELS[options.proposed]}: ${options.proposal}`);
      for (;;) {
        const choice = await io.prompts.select<DecisionAction | 'skip'>({
          message: 'Decision',
          choices: [
            ...options.options.map((option) => ({
              name: `${LABELS[option.action]}${option.action === options.proposed ? ' (proposed)' : ''}`,
              value: option.action,
              description: option.effect,
            })),
            {
              name: LABELS.skip,
              value: 'skip' as const,
              description: 'leave it for later; nothing is recorded',
            },
          ],
          default: options.proposed,
        });
        if (choice === 'skip') {
          tally.skipped++;
          break;
        }
        let note =
          choice === 'note'
            ? await io.prompts.input({ message: 'Note (why it stays open)' })
            : undefined;
        const linkTo =
          choice === 'link'
            ? await io.prompts.input({
                message: leg?.linkPrompt ?? 'Link to (order, refund or dispute id, or item id)',
                ...(options.linkTarget ? { default: options.linkTarget } : {}),
              })
            : undefined;
        if (
          POSTS_MONEY.has(choice) &&
          context.yes !== true &&
          !(choice === 'link' && item.class === 'duplicate')
        ) {
          const effect = options.options.find((option) => option.action === choice)?.effect ?? '';
          io.out(
            `${io.style.yellow('posts money:')} ${linkTo !== undefined ? `link to ${linkTo.trim()}: ` : ''}${effect}`,
          );
          const answer = confirmAnswer(await io.prompts.input({ message: POST_IT }));
          if (!answer.post) {
            io.out(io.style.dim('not posted: answer y, or "note: why", to post'));
            continue;
          }
          if (answer.note !== undefined) note = answer.note;
        }
        try {
          const outcome = await store.decide(item.itemId, choice, {
            ...(note !== undefined ? { note } : {}),
            ...(linkTo !== undefined ? { linkTo } : {}),
          });
          tally.decided++;
          io.out(io.style.green(`✓ ${item.itemId}: ${outcome.message}`));
          break;
        } catch (error) {
          if (!(error instanceof PayopsError)) throw error;
          io.out(io.style.red(`✗ ${error.oneLine()}`));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ExitPromptError') throw error;
    tally.interrupted = true;
  }
  tally.open = (await store.toReview(filter)).length;
  return tally;
}

/** One item as a panel: both sides in columns, the fields that differ marked `≠`. */
export function renderItem(
  item: ItemRecord,
  position: number,
  total: number,
  style: ReviewStyle,
  repeats?: StoredRow,
  legPanel?: LegPanel,
): string {
  const { detail } = item;
  const amount = signed(item.amountMinor, item.currency, DIFFERENCE_CLASSES.has(item.class));
  const lines = [
    '',
    style.bold(
      `── ${position} of ${total} ── ${item.class} ${item.itemId} ── ${amount} ${item.currency} ── ${item.subject}`,
    ),
  ];
  if (legPanel) {
    lines.push(...legPanel((line) => style.yellow(` ≠${line.slice(2)}`)));
  } else if (detail.batch) {
    const batch = detail.batch;
    const money = (minor: string) => formatAmount(BigInt(minor), batch.currency);
    lines.push(
      `   batch          ${batch.batchId} (${batch.currency})`,
      `   PSP paid       ${money(batch.payoutMinor)}`,
      `   rows add up to ${money(batch.rowsNetMinor)}`,
      `   books hold     ${money(batch.settledMinor)}`,
      `   open rows      ${batch.openRowItems}`,
    );
  } else {
    lines.push(...sideBySide(detail.ours, detail.theirs, style));
  }
  if (repeats) {
    lines.push(
      `   repeats        ${repeats.fileName}:${repeats.line} ${repeats.type} ${repeats.pspReference ?? ''} gross ${formatAmount(repeats.grossMinor, repeats.currency)} net ${formatAmount(repeats.netMinor, repeats.currency)} ${repeats.currency} (${repeats.class})`,
    );
  }
  lines.push(`${style.dim('why:')} ${detail.why}`);
  return lines.join('\n');
}

function sideBySide(ours: SideView | null, theirs: SideView | null, style: ReviewStyle): string[] {
  const money = (side: SideView | null, field: 'grossMinor' | 'feeMinor' | 'netMinor') =>
    side?.[field] == null ? '' : formatAmount(BigInt(side[field] as string), side.currency);
  const fields: [string, string, string, boolean][] = [
    ['reference', ours?.reference ?? '', theirs?.reference ?? '', true],
    ['order', ours?.order ?? '', theirs?.order ?? '', true],
    ['type', ours?.type ?? '', theirs?.type ?? '', true],
    ['currency', ours?.currency ?? '', theirs?.currency ?? '', true],
    ['gross', money(ours, 'grossMinor'), money(theirs, 'grossMinor'), true],
    ['fee', money(ours, 'feeMinor'), money(theirs, 'feeMinor'), true],
    ['net', money(ours, 'netMinor'), money(theirs, 'netMinor'), true],
    ['status', ours?.status ?? '', theirs?.status ?? '', false],
    ['at', ours?.at ?? '', theirs?.at ?? '', false],
    ['batch', '', theirs?.batch ?? '', false],
  ];
  const left = Math.max(24, ...fields.map(([, value]) => value.length));
  const header = `     ${''.padEnd(10)} ${style.bold('payops'.padEnd(left))}  ${style.bold(`PSP${theirs ? ` (${theirs.source})` : ''}`)}`;
  const rows = fields
    .filter(([, a, b]) => a !== '' || b !== '')
    .map(([name, a, b, compared]) => {
      const differs =
        (compared && ours !== null && theirs !== null && a !== '' && b !== '' && a !== b) ||
        (name === 'status' && ours !== null && theirs !== null && ours.status !== 'succeeded');
      const text = `${name.padEnd(10)} ${(a || (ours ? '' : '—')).padEnd(left)}  ${b || (theirs ? '' : '—')}`;
      return differs ? style.yellow(` ≠   ${text}`) : `     ${text}`;
    });
  return [header, ...rows];
}

/** Classes whose amount is a difference, shown with its sign either way. */
const DIFFERENCE_CLASSES: ReadonlySet<string> = new Set([
  'amount_mismatch',
  'fee_mismatch',
  'batch_total_mismatch',
  'balance_mismatch',
]);

function signed(minor: bigint, currency: Currency, plus: boolean): string {
  return minor < 0n
    ? `-${formatAmount(-minor, currency)}`
    : `${plus && minor > 0n ? '+' : ''}${formatAmount(minor, currency)}`;
}
