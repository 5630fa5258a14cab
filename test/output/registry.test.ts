import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { OUTPUT_SCHEMAS } from '../../src/output/registry.js';

/**
 * Commands whose JSON another part of issue 15 reshapes: their schemas are registered when that
 * work merges. Any other command with --json and no schema fails here.
 */
const SCHEMA_PENDING_MERGE = ['dlq list', 'dlq requeue', 'ledger history', 'reconcile decide', 'reconcile report', 'reconcile review', 'reconcile run', 'report daily', 'report sellers', 'retry run'];

describe('the registry of output schemas', () => {
  it('has a schema for every command that prints --json (but those pending their merge)', () => {
    const withJson: string[] = [];
    const walk = (command: Command, prefix: string[]): void => {
      for (const sub of command.commands) {
        const names = [...prefix, sub.name()];
        if (sub.options.some((option) => option.long === '--json')) withJson.push(names.join(' '));
        walk(sub, names);
      }
    };
    walk(commandTree(), []);
    const missing = withJson.filter((name) => !(name in OUTPUT_SCHEMAS) && !SCHEMA_PENDING_MERGE.includes(name));
    expect(missing, 'register each in src/output/registry.ts').toEqual([]);
  });
});
