import type { Command } from 'commander';
import { contextOf, examples, toJson } from '../cli/context.js';
import { nonNegativeInteger } from '../cli/options.js';

interface SettleFlags {
  date: string;
  out: string;
  pspState?: string;
  injectDiscrepancies?: number;
  seed: string;
  manifest?: string;
  feeRule?: string;
  json?: boolean;
}

export function registerPsp(program: Command): void {
  const psp = program.command('psp').description('the simulated PSP: its settlement files');

  psp
    .command('settle')
    .description('write the simulated PSP\'s settlement file for one UTC day (payops format), from the PSP\'s own books')
    .requiredOption('--date <day>', 'the UTC day to settle, e.g. 2026-11-23')
    .requiredOption('--out <file>', 'where to write the settlement file')
    .option('--psp-state <file>', 'the simulated PSP\'s state file (default: <db>.psp-sim.db beside the database)')
    .option('--inject-discrepancies <n>', 'write N discrepancies into the file (kinds in turn: missing row, extra row, changed amount, changed fee, settled charge payops failed, duplicated row)', nonNegativeInteger)
    .option('--seed <seed>', 'which rows the discrepancies go to', '0')
    .option('--manifest <file>', 'write what was injected, as JSON')
    .option('--fee-rule <rule>', 'the fee of a charge the PSP settles though it declined it (settled_failed), e.g. "2.9%+0.30"')
    .option('--json', 'print the manifest as JSON')
    .addHelpText(
      'after',
      `${examples('payops psp settle --date 2026-11-23 --out settlement-2026-11-23.csv', 'payops psp settle --date 2026-11-23 --out day.csv --inject-discrepancies 6 --seed 7 --manifest day.manifest.json')}
Captures (a pending charge counts on the day it settled), refunds and chargebacks with their fees,
then one payout row per currency: batch po_sim_YYYYMMDD_CUR. An injected discrepancy changes the
rows, never the payout, which stays what the PSP really paid out.
`,
    )
    .action(async (flags: SettleFlags, command: Command) => {
      const context = contextOf(command);
      const fs = await import('node:fs');
      const { UsageError } = await import('../errors.js');
      const { defaultSimStateFile } = await import('../psp/factory.js');
      const { DEFAULT_FEE_RULE, parseFeeRule } = await import('../psp/fee-rule.js');
      const { SimEngine } = await import('../psp/sim/engine.js');
      const { NO_FAULTS } = await import('../psp/sim/faults.js');
      const { writeSimSettlement } = await import('../psp/sim/settlement.js');
      const stateFile = flags.pspState ?? defaultSimStateFile(context.dbPath);
      if (!fs.existsSync(stateFile)) {
        throw new UsageError(`no simulated PSP state at ${stateFile}`, { hint: 'charge through the simulated PSP first (`payops payin run`), or pass --psp-state FILE' });
      }
      const feeRule = flags.feeRule === undefined ? DEFAULT_FEE_RULE : parseFeeRule(flags.feeRule);
      const engine = new SimEngine({ stateFile, seed: flags.seed, faults: NO_FAULTS, feeRule, clock: Date.now });
      try {
        const manifest = await writeSimSettlement(engine, { date: flags.date, out: flags.out, inject: flags.injectDiscrepancies ?? 0, seed: flags.seed, feeRule });
        if (flags.manifest) fs.writeFileSync(flags.manifest, `${toJson(manifest)}\n`, { mode: 0o600 });
        if (flags.json) {
          context.out(toJson(manifest));
          return;
        }
        const { formatAmount } = await import('../money/index.js');
        context.out(`wrote ${manifest.rows} rows to ${flags.out} (${flags.date}, psp sim)`);
        for (const batch of manifest.batches) {
          const payout = batch.payoutMinor === null ? 'no payout (the day nets to nothing or less)' : `payout ${formatAmount(BigInt(batch.payoutMinor), batch.currency)} ${batch.currency}`;
          context.out(`  batch ${batch.batchId}: ${payout}`);
        }
        for (const injection of manifest.injected) context.out(`  injected ${injection.kind} (${injection.expectedClass}): ${injection.pspReference}${injection.line === null ? '' : ` at line ${injection.line}`}`);
        for (const skipped of manifest.skipped) context.err(`not injected: ${skipped.kind}: ${skipped.reason}`);
      } finally {
        engine.close();
      }
    });
}
