import type { Command } from 'commander';
import { completionScript } from '../completion-script.js';

export async function completion(
  shell: 'bash' | 'zsh' | 'fish',
  _flags: unknown,
  command: Command,
): Promise<void> {
  let root = command;
  while (root.parent) root = root.parent;
  process.stdout.write(completionScript(root, shell));
}
