import type { Command } from 'commander';
import { contextOf, examples } from '../cli/context.js';
import { pspOption, pspUrlOption } from '../cli/psp-options.js';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description(
      'payops.json: the defaults repeated on every call (database, PSP, PSP URL, rules file, output format, busy timeout)',
    );
  config
    .command('show')
    .description(
      'the effective settings and where each came from (flag, environment, file or default)',
    )
    .addOption(pspOption())
    .addOption(pspUrlOption())
    .option('--rules <file>', 'auto-resolution rules file (as `reconcile run --rules`)')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${examples('payops config show', 'PAYOPS_CONFIG=/etc/payops/payops.json payops config show --json')}
The file is $PAYOPS_CONFIG, else payops.json in the working folder. Flags beat the environment
(PAYOPS_DB, PAYOPS_PSP, PAYOPS_PSP_URL, PAYOPS_OUTPUT=text|json|csv), which beats the file. Secrets never go in it.
`,
    )
    .action(async (flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { effectiveSettings, loadConfig } = await import('../config/index.js');
      const loaded = loadConfig();
      const root = command.parent?.parent ?? command;
      const settings = effectiveSettings(root, command, loaded);
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { configShowSchema } = await import('../output/runs.js');
        context.out(contractJson(configShowSchema, { file: loaded.file ?? null, settings }));
        return;
      }
      const { renderTable } = await import('../reports/table.js');
      context.out(
        `config file: ${loaded.file ?? 'none (no $PAYOPS_CONFIG, no payops.json here)'}; flags beat environment beat file`,
      );
      context.out(
        renderTable(
          [{ header: 'setting' }, { header: 'value' }, { header: 'from' }],
          settings.map((s) => [
            s.key,
            s.value ?? '(none)',
            s.from === null ? s.source : `${s.source} ${s.from}`,
          ]),
        ),
      );
    });
}
