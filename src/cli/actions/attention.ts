import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { listUnrecorded, resolveAttention } from '../../work/executors/resolve-attention.js';
import { SqliteAttentionStore } from '../../work/executors/sqlite-attention-store.js';
import * as output from '../../output/attention.js';
import { attentionResolveSchema } from '../../output/attention.js';
import { contractJson } from '../../output/contract.js';
import { systemClock } from '../../time.js';
import * as os from 'node:os';
import {
  attentionResolveLines,
  outcomeCount,
  renderAttentionList,
} from '../../reports/attention-output.js';

export type AttentionListFlags = { json?: boolean; csv?: boolean };
export type AttentionResolveFlags = { all?: boolean; json?: boolean };

export async function attentionList(context: CliContext, flags: AttentionListFlags): Promise<void> {
  const facts = await withDatabase(context, (db) => listUnrecorded(new SqliteAttentionStore(db)));
  if (flags.json) {
    context.out(contractJson(output.attentionListSchema, facts.map(output.attentionItemJson)));
  } else if (flags.csv) context.out(output.attentionCsv(facts));
  else context.out(renderAttentionList(facts));
  if (facts.length > 0) process.exitCode = ExitCode.workPending;
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
    resolveAttention(
      new SqliteAttentionStore(db),
      flags.all ? { all: true } : { ids },
      actor,
      systemClock,
    ),
  );
  if (flags.json) {
    context.out(contractJson(attentionResolveSchema, outcomes));
  } else for (const line of attentionResolveLines(outcomes)) context.out(line);
  const refused = outcomeCount(outcomes, 'refused');
  if (refused > 0) {
    context.err(
      `payops: ${refused} kept answers could not be booked yet and stay in needs_attention: fix the cause named above and run \`payops attention resolve\` again`,
    );
    process.exitCode = ExitCode.workPending;
  }
}
