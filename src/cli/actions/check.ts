import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import type { PspFlags } from '../psp-options.js';
import { createPsp, defaultSimStateFile } from '../../psp/factory.js';
import * as fs from 'node:fs';
import { runChecks } from '../../check/check.js';
import { UsageError, InvariantError } from '../../errors.js';
import { runChecksWithPsp, runChecksWithStripe } from '../../check/with-psp.js';
import { SqliteCheckSource } from '../../check/sqlite-check-source.js';
import { lazy } from '../lazy.js';

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { checkSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/check.js'),
  ]);
  return { contractJson, checkSchema };
});

const stripeAdapter = lazy(() => import('../../psp/stripe/adapter.js'));

/** `--psp stripe`: the adapter whose listings give Stripe's own record (STRIPE_API_KEY, --psp-url). */
async function stripeRecordReader(dbPath: string, flags: PspFlags) {
  const { StripePsp } = await stripeAdapter();
  const psp = createPsp({
    psp: 'stripe',
    dbPath,
    pspUrl: flags.pspUrl,
    pspTimeoutMs: flags.pspTimeoutMs,
    concurrency: flags.concurrency,
  });
  if (!(psp instanceof StripePsp)) throw new Error('--psp stripe made no Stripe adapter');
  return psp;
}

export type CheckFlags = PspFlags & { json?: boolean };

export async function check(context: CliContext, flags: CheckFlags): Promise<void> {
  if (flags.psp === 'http' && flags.pspState === undefined) {
    throw new UsageError('check --psp http needs --psp-state', {
      hint: 'the --state file of `payops psp serve`',
    });
  }
  const stateFile = flags.pspState ?? defaultSimStateFile(context.dbPath);
  // A state file that was named and is not there is a mistake, not a reason to skip a check.
  if (flags.psp !== 'stripe' && flags.pspState !== undefined && !fs.existsSync(stateFile)) {
    throw new UsageError(`--psp-state: ${stateFile} does not exist`, {
      hint:
        flags.psp === 'http'
          ? 'the --state file of `payops psp serve`'
          : 'check the path; without the flag payops reads <db>.psp-sim.db beside the database',
    });
  }
  // Stripe's own record is read through its API (charges and refunds by payops' metadata).
  const stripe =
    flags.psp === 'stripe' ? await stripeRecordReader(context.dbPath, flags) : undefined;
  const psp = stripe !== undefined || fs.existsSync(stateFile);
  // The auditor reads the books through a read-only connection: nothing it runs can write them.
  const report = await withDatabase(
    context,
    (db) => {
      const source = new SqliteCheckSource(db);
      return stripe
        ? runChecksWithStripe(source, stripe, runChecks).finally(() => stripe.close())
        : runChecksWithPsp(source, psp ? { psp: flags.psp, stateFile } : undefined, runChecks);
    },
    { readonly: true },
  );
  const skipped = psp ? [] : [{ check: 'PSP record', reason: `no PSP state at ${stateFile}` }];
  if (flags.json) {
    const { contractJson, checkSchema } = await json();
    context.out(contractJson(checkSchema, { ...report, skipped }));
  } else {
    const { green, red, yellow, dim } = context.color;
    const lines = report.results.map(
      (result) =>
        `${result.ok ? green('ok  ') : red('FAIL')}  ${result.name}${result.ok ? dim(` (${result.details.join('; ')})`) : `\n${result.details.map((d) => `        ${d}`).join('\n')}`}`,
    );
    for (const skip of skipped) lines.push(yellow(`skip  ${skip.check}: ${skip.reason}`));
    for (const note of report.notes) lines.push(`note  ${note}`);
    // Said once more at the end: a skipped check must not read as a pass.
    if (skipped.length > 0)
      lines.push(
        yellow(
          `${skipped.length} check${skipped.length === 1 ? '' : 's'} skipped: ${skipped.map((skip) => skip.check).join(', ')}; the others ${report.ok ? 'passed' : 'ran'}`,
        ),
      );
    context.out(lines.join('\n'));
  }
  if (!report.ok) {
    const failed = report.results.filter((result) => !result.ok).map((result) => result.name);
    throw new InvariantError(`check failed: ${failed.join('; ')}`, {
      hint: 'see the details above; nothing was changed',
    });
  }
}
