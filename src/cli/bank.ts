import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { nonNegativeInteger } from './options.js';
import { lazy } from './lazy.js';
import type { StatementFlags } from './actions/bank.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/bank.js'));

/** `payops bank statement`: a simulated bank's statement files, to test the bank leg against. */
export function registerBank(program: Command): void {
  const bank = program
    .command('bank')
    .description(
      "a simulated bank: the operating account's statement files, from the simulated PSP's own books",
    );
  bankStatement(bank);
}

function bankStatement(bank: Command): void {
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
    .action(async (flags: StatementFlags, command: Command) =>
      (await actions()).bankStatement(contextOf(command), flags),
    );
}
