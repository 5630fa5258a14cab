import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { renderTable } from '../../reports/table.js';
import { ExitCode, UsageError } from '../../errors.js';
import { listUnrecorded, resolveAttention } from '../../work/executors/resolve-attention.js';
import { formatAmount } from '../../money/index.js';
import * as output from '../../output/attention.js';
import { attentionResolveSchema } from '../../output/attention.js';
import { contractJson } from '../../output/contract.js';
import { systemClock } from '../../time.js';
import * as os from 'node:os';

export type AttentionListFlags = { json?: boolean; csv?: boolean };
export type AttentionResolveFlags = { all?: boolean; json?: boolean };

export async function attentionList(context: CliContext, flags: AttentionListFlags): Promise<void> {
  const facts = await withDatabase(context, (db) => listUnrecorded(db));
  const rows = facts.map((f) => ({
    kind: f.kind,
    id: f.itemId,
    psp: f.psp,
    answer: f.answerStatus,
    pspReference: f.pspReference,
    amount: formatAmount(f.amountMinor, f.currency),
    currency: f.currency,
    since: f.answeredAt,
    error: f.error,
  }));
  if (flags.json) {
    context.out(contractJson(output.attentionListSchema, facts.map(output.attentionItemJson)));
  } else if (flags.csv) context.out(output.attentionCsv(facts));
  else if (rows.length === 0) context.out('nothing needs attention');
  else {
    context.out(
      renderTable(
        [
          { header: 'kind' },
          { header: 'id' },
          { header: 'answer' },
          { header: 'psp ref' },
          { header: 'amount', align: 'right' },
          { header: 'currency' },
          { header: 'since' },
          { header: 'why not recorded' },
        ],
        rows.map((r) => [
          r.kind,
          r.id,
          r.answer,
          r.pspReference ?? '',
          r.amount,
          r.currency,
          r.since,
          r.error,
        ]),
      ),
    );
  }
  if (rows.length > 0) process.exitCode = ExitCode.workPending;
}

export async function attentionResolve(
  context: CliContext,
  ids: string[],
  flags: AttentionResolveFlags,
): Promise<void> {
  if (ids.length > 0 === Boolean(flags.all))
    throw new UsageError(
      'name the charges (order ids), refunds or payouts to book, or pass --all (not both)',
    );
  const actor = `operator ${os.userInfo().username}`;
  const outcomes = await withDatabase(context, (db) =>
    resolveAttention(db, flags.all ? { all: true } : { ids }, actor, systemClock),
  );
  const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;
  if (flags.json) {
    context.out(contractJson(attentionResolveSchema, outcomes));
  } else {
    for (const o of outcomes)
      context.out(`${o.kind} ${o.itemId}: ${o.outcome.replace('_', ' ')}: ${o.detail}`);
    context.out(
      `booked ${count('booked')}, already booked ${count('already_booked')}, refused ${count('refused')}`,
    );
  }
  if (count('refused') > 0) {
    context.err(
      `payops: ${count('refused')} kept answers could not be booked yet and stay in needs_attention: fix the cause named above and run \`payops attention resolve\` again`,
    );
    process.exitCode = ExitCode.workPending;
  }
}
