import { Argument, type Command } from 'commander';
import { examples } from '../cli/context.js';

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
    .action(async (shell: 'bash' | 'zsh' | 'fish', _flags: unknown, command: Command) => {
      const { completionScript } = await import('../cli/completion.js');
      let root = command;
      while (root.parent) root = root.parent;
      process.stdout.write(completionScript(root, shell));
    });
}
