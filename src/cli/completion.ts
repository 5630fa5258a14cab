import { Argument, type Command } from 'commander';
import { examples } from './context.js';
import { lazy } from './lazy.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/completion.js'));

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script for payops, generated from its command tree')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'eval "$(payops completion bash)"   # in ~/.bashrc',
        'eval "$(payops completion zsh)"    # in ~/.zshrc',
        'payops completion fish > ~/.config/fish/completions/payops.fish',
      ),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish', _flags: unknown, command: Command) =>
      (await actions()).completion(shell, _flags, command),
    );
}
