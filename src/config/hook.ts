import type { Command } from 'commander';

/**
 * `payops demo` is hermetic: it makes its own temporary book (unless --db is typed) and runs each
 * step with the flags it needs, through main() in this same process. Neither PAYOPS_DB nor a
 * payops.json may turn it onto a real book or another PSP, so while a demo runs, no defaults are
 * applied, to it or to its steps.
 */
let hermeticDepth = 0;

/** Before any action: the config file and the environment fill what no flag set (src/config/apply.ts). */
export function configureFromFile(program: Command): { release(): void } {
  let hermetic = false;
  program.hook('preAction', async (root, action) => {
    if (hermeticDepth > 0) return;
    if (action.parent === root && action.name() === 'demo') {
      hermeticDepth++;
      hermetic = true;
      return;
    }
    const { loadConfig } = await import('./load.js');
    const { applyConfig } = await import('./apply.js');
    applyConfig(root, action, loadConfig());
  });
  return {
    release() {
      if (hermetic) hermeticDepth--;
      hermetic = false;
    },
  };
}
