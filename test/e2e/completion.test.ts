import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { payops, tempDirPerTest } from '../helpers/cli.js';

/** Every command path below the program, e.g. ["ledger", "balance"]. */
function allPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [
    [...prefix, sub.name()],
    ...allPaths(sub, [...prefix, sub.name()]),
  ]);
}

describe('payops completion (end to end)', () => {
  const temp = tempDirPerTest('payops-completion-');

  /** What bash offers for the words typed so far (the last one being completed), with the script sourced. */
  function bashComplete(script: string, words: string[]): string[] {
    const file = path.join(temp.dir, 'payops.bash');
    fs.writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const result = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _payops_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  }

  it('bash: `payops led` completes to ledger, `payops ledger ba` to balance, past global flags and their values', () => {
    const script = payops(['completion', 'bash']);
    expect(script.code).toBe(0);
    expect(bashComplete(script.stdout, ['payops', 'led'])).toEqual(['ledger']);
    expect(bashComplete(script.stdout, ['payops', 'ledger', 'ba'])).toEqual(['balance']);
    expect(bashComplete(script.stdout, ['payops', '--db', 'books.db', 'runs', ''])).toEqual(
      expect.arrayContaining(['list', 'show', '--db', '--help']),
    );
    expect(bashComplete(script.stdout, ['payops', 'payin', 'run', '--all'])).toEqual([
      '--all-or-nothing',
    ]);
  });

  it('every command of the tree appears in each script', () => {
    const paths = allPaths(commandTree());
    expect(paths.length).toBeGreaterThan(40);
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = payops(['completion', shell]);
      expect(result.code).toBe(0);
      for (const commandPath of paths) {
        const leaf = commandPath[commandPath.length - 1] as string;
        if (shell === 'fish') {
          const parent =
            commandPath.length === 1
              ? '__fish_use_subcommand'
              : `__fish_seen_subcommand_from ${commandPath[commandPath.length - 2]}`;
          expect(result.stdout, `${shell}: ${commandPath.join(' ')}`).toMatch(
            new RegExp(`-n '[^']*${parent}[^']*' -f -a ${leaf} `),
          );
        } else {
          expect(result.stdout, `${shell}: ${commandPath.join(' ')}`).toContain(
            `" ${commandPath.join(' ')}")`,
          );
        }
      }
    }
  });

  it('zsh loads the bash function through bashcompinit; an unknown shell is a usage error', () => {
    expect(payops(['completion', 'zsh']).stdout).toMatch(
      /^#compdef payops\nautoload -U \+X bashcompinit && bashcompinit\n/,
    );
    const tcsh = payops(['completion', 'tcsh']);
    expect(tcsh.code).toBe(2);
  });
});
