import type { Command } from 'commander';

/** Before any action: the config file and the environment fill what no flag set (src/config/apply.ts). */
export function configureFromFile(program: Command): void {
  program.hook('preAction', async (root, action) => {
    const { loadConfig } = await import('./load.js');
    const { applyConfig } = await import('./apply.js');
    applyConfig(root, action, loadConfig());
  });
}
