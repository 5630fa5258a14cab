import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { OUTPUT_SCHEMAS } from '../../src/output/registry.js';

describe('the registry of output schemas', () => {
  it('has a schema for every command that prints --json ', () => {
    const withJson: string[] = [];
    const walk = (command: Command, prefix: string[]): void => {
      for (const sub of command.commands) {
        const names = [...prefix, sub.name()];
        if (sub.options.some((option) => option.long === '--json')) withJson.push(names.join(' '));
        walk(sub, names);
      }
    };
    walk(commandTree(), []);
    const missing = withJson.filter((name) => !(name in OUTPUT_SCHEMAS));
    expect(missing, 'register each in src/output/registry.ts').toEqual([]);
  });
});
