import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { effectiveSettings, loadConfig } from '../../config/index.js';
import { contractJson } from '../../output/contract.js';
import { configShowSchema } from '../../output/runs.js';
import { renderTable } from '../../reports/table.js';

export type ConfigShowFlags = { json?: boolean };

export async function configShow(flags: ConfigShowFlags, command: Command): Promise<void> {
  const context = contextOf(command);
  const loaded = loadConfig();
  const root = command.parent?.parent ?? command;
  const settings = effectiveSettings(root, command, loaded);
  if (flags.json) {
    context.out(contractJson(configShowSchema, { file: loaded.file ?? null, settings }));
    return;
  }
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
}
