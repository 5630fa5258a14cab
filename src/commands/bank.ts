import type { Command } from 'commander';
import { contextOf, examples, toJson } from '../cli/context.js';
import { nonNegativeInteger } from '../cli/options.js';
import type { OutputGuard } from '../private-files.js';

interface StatementFlags {
  date: string;
  format: string;
  out: string;
  delayDays: number;
  pspState?: string;
  injectDiscrepancies?: number;
  seed: string;
  manifest?: string;
  currency?: string;
}

/** `payops bank statement`: a simulated bank's statement files, to test the bank leg against. */
export function registerBank(program: Command): void {
  const bank = program
    .command('bank')
    .description(
      "a simulated bank: the operating account's statement files, from the simulated PSP's own books",
    );
  registerStatement(bank);
}

function registerStatement(bank: Command): void {
  bank
    .command('statement')
    .description(
      "write the simulated bank's statement of one UTC day (one statement per currency): PSP payouts in, seller payouts out, the account charge",
    )
    .requiredOption('--date <day>', 'the UTC day of the statement, e.g. 2026-11-24')
    .requiredOption('--format <format>', 'camt053, mt940, bai2 or csv')
    .requiredOption('--out <file>', 'where to write the statement file')
    .option(
      '--delay-days <n>',
      'business days between a PSP payout and its credit (Mon-Fri)',
      nonNegativeInteger,
      1,
    )
    .option(
      '--psp-state <file>',
      "the simulated PSP's state file (default: <db>.psp-sim.db beside the database)",
    )
    .option(
      '--inject-discrepancies <n>',
      'write N discrepancies into the file (kinds in turn: payout not received, unknown credit, unknown debit, amount mismatch, bank fee above the cap, balance mismatch, duplicate)',
      nonNegativeInteger,
    )
    .option('--seed <seed>', 'where the discrepancies go', '0')
    .option('--manifest <file>', 'write the statements and what was injected, as JSON')
    .option('--currency <code>', "only this currency's statement (a bank CSV holds one statement)")
    .addHelpText(
      'after',
      `${examples('payops bank statement --date 2026-11-24 --format camt053 --out statement-2026-11-24.xml', 'payops bank statement --date 2026-11-24 --format mt940 --out day.sta --inject-discrepancies 7 --seed 3 --manifest day.manifest.json')}
The PSP's payout of a day (batch po_sim_YYYYMMDD_CUR, as psp settle writes it) is credited
--delay-days business days later; seller payouts are debited the day they were made; one
account charge (1.50, or 15 in a currency without decimals) on a day with movements. Accounts: docs/RECONCILIATION.md "A bank to test against".
`,
    )
    .action(async (flags: StatementFlags, command: Command) => {
      const context = contextOf(command);
      const fs = await import('node:fs');
      const { UsageError } = await import('../errors.js');
      const { BANK_FORMATS } = await import('../bank/types.js');
      const { defaultSimStateFile } = await import('../psp/factory.js');
      const { DEFAULT_FEE_RULE } = await import('../psp/fee-rule.js');
      const { SimEngine } = await import('../psp/sim/engine.js');
      const { NO_FAULTS } = await import('../psp/sim/faults.js');
      const { checkBankDayOptions, writeSimBankStatement } = await import('../bank/sim/index.js');
      const { PrivateFile, assertSafeOutput } = await import('../private-files.js');
      const format = BANK_FORMATS.find((known) => known === flags.format);
      if (format === undefined)
        throw new UsageError(
          `--format: "${flags.format}" is not one of ${BANK_FORMATS.join(', ')}`,
        );
      const { isCurrencyCode } = await import('../money/index.js');
      const currency = flags.currency;
      if (currency !== undefined && !isCurrencyCode(currency))
        throw new UsageError(`--currency: "${currency}" is not an ISO 4217 code such as USD`);
      const day = {
        date: flags.date,
        delayDays: flags.delayDays,
        inject: flags.injectDiscrepancies ?? 0,
        seed: flags.seed,
      };
      checkBankDayOptions(day);
      const stateFile = flags.pspState ?? defaultSimStateFile(context.dbPath);
      if (!fs.existsSync(stateFile)) {
        throw new UsageError(`no simulated PSP state at ${stateFile}`, {
          hint: 'charge through the simulated PSP first (`payops payin run`), or pass --psp-state FILE',
        });
      }
      // As psp settle: the manifest's file is opened first; neither output may be the books or the PSP state.
      const books = { database: context.dbPath, pspState: stateFile };
      const outGuard: OutputGuard = {
        ...books,
        flag: '--out',
        outputs: flags.manifest === undefined ? {} : { '--manifest': flags.manifest },
      };
      assertSafeOutput(flags.out, outGuard);
      const manifestFile =
        flags.manifest === undefined
          ? undefined
          : PrivateFile.create(flags.manifest, {
              ...books,
              flag: '--manifest',
              outputs: { '--out': flags.out },
            });
      const engine = new SimEngine({
        stateFile,
        seed: flags.seed,
        faults: NO_FAULTS,
        feeRule: DEFAULT_FEE_RULE,
        clock: Date.now,
      });
      try {
        const manifest = await writeSimBankStatement(engine, {
          ...day,
          format,
          out: flags.out,
          outGuard,
          ...(currency === undefined ? {} : { currency }),
        });
        if (manifestFile) {
          manifestFile.write(`${toJson(manifest)}\n`);
          manifestFile.commit();
        }
        context.out(
          `wrote ${manifest.statements.length} statement${manifest.statements.length === 1 ? '' : 's'} to ${flags.out} (${flags.date}, ${format}, booking date)`,
        );
        for (const s of manifest.statements) {
          context.out(
            `  ${s.account} ${s.currency}: opening ${s.opening.amount}, ${s.entryCount} entries, closing ${s.closing.amount}`,
          );
        }
        for (const injection of manifest.injected)
          context.out(
            `  injected ${injection.kind}: ${injection.reference} ${injection.amount.amount} ${injection.currency}${injection.line === null ? '' : ` at line ${injection.line}`}`,
          );
        for (const skipped of manifest.skipped)
          context.err(`not injected: ${skipped.kind}: ${skipped.reason}`);
      } finally {
        manifestFile?.abort();
        engine.close();
      }
    });
}
