import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { applyConfig, effectiveSettings } from '../../src/config/apply.js';
import type { LoadedConfig } from '../../src/config/load.js';

/** A program shaped like payops': --db on the root, a command with --psp, --json and --csv. */
function parsed(
  argv: string[],
  config: LoadedConfig,
  env: NodeJS.ProcessEnv,
): { root: Command; action: Command } {
  const root = new Command('payops')
    .option('--db <path>')
    .option('--busy-timeout <ms>', '', Number)
    .exitOverride();
  let acted: Command | undefined;
  root
    .command('list')
    .addOption(new Option('--psp <name>').choices(['sim', 'http', 'stripe']).default('sim'))
    .option('--json')
    .option('--csv')
    .action((_flags, command: Command) => {
      acted = command;
    });
  root.hook('preAction', (thisCommand, action) => applyConfig(thisCommand, action, config, env));
  root.parse(['node', 'payops', ...argv]);
  return { root, action: acted as Command };
}

const file: LoadedConfig = {
  file: '/srv/payops.json',
  settings: { db: '/srv/file.db', psp: 'http', output: 'json', busyTimeoutMs: 250 },
};

describe('applyConfig: flags beat environment beat file beat default', () => {
  it('the file fills what nothing else set', () => {
    const { root, action } = parsed(['list'], file, {});
    expect(root.opts()).toEqual({ db: '/srv/file.db', busyTimeout: 250 });
    expect(action.opts()).toEqual({ psp: 'http', json: true });
    expect(effectiveSettings(root, action, file).find((s) => s.key === 'db')).toEqual({
      key: 'db',
      value: '/srv/file.db',
      source: 'file',
      from: '/srv/payops.json',
    });
  });

  it('the environment beats the file; an empty variable is unset', () => {
    expect(
      parsed(['list'], file, { PAYOPS_DB: 'env.db', PAYOPS_PSP: 'stripe' }).root.opts().db,
    ).toBe('env.db');
    expect(parsed(['list'], file, { PAYOPS_PSP: 'stripe' }).action.opts().psp).toBe('stripe');
    expect(parsed(['list'], file, { PAYOPS_DB: '', PAYOPS_PSP: '' }).root.opts().db).toBe(
      '/srv/file.db',
    );
  });

  it('a flag beats both', () => {
    const { root, action } = parsed(['list', '--db', 'flag.db', '--psp', 'sim'], file, {
      PAYOPS_DB: 'env.db',
      PAYOPS_PSP: 'stripe',
    });
    expect(root.opts().db).toBe('flag.db');
    expect(action.opts().psp).toBe('sim');
    expect(effectiveSettings(root, action, file).find((s) => s.key === 'psp')).toEqual({
      key: 'psp',
      value: 'sim',
      source: 'flag',
      from: '--psp',
    });
  });

  it('"output": "json" gives way to a --csv typed on the command line', () => {
    expect(parsed(['list', '--csv'], file, {}).action.opts()).toEqual({ psp: 'http', csv: true });
  });

  it('an environment value outside the choices is a usage error naming the variable', () => {
    expect(() => parsed(['list'], file, { PAYOPS_PSP: 'paypal' })).toThrow(
      /^PAYOPS_PSP=paypal: expected one of sim, http, stripe$/,
    );
  });

  it('"output": "csv" makes --csv the default; PAYOPS_OUTPUT=text is the way back to text (found by the issue-15 review)', () => {
    const csvFile: LoadedConfig = { file: '/srv/payops.json', settings: { output: 'csv' } };
    expect(parsed(['list'], csvFile, {}).action.opts()).toEqual({ psp: 'sim', csv: true });
    expect(parsed(['list'], file, { PAYOPS_OUTPUT: 'text' }).action.opts()).toEqual({
      psp: 'http',
    });
    const { root, action } = parsed(['list'], file, { PAYOPS_OUTPUT: 'csv' });
    expect(action.opts()).toEqual({ psp: 'http', csv: true });
    expect(effectiveSettings(root, action, file).find((s) => s.key === 'output')).toEqual({
      key: 'output',
      value: 'csv',
      source: 'environment',
      from: 'PAYOPS_OUTPUT',
    });
    expect(() => parsed(['list'], file, { PAYOPS_OUTPUT: 'xml' })).toThrow(
      /^PAYOPS_OUTPUT=xml: expected one of text, json, csv$/,
    );
  });

  it('an unset PSP URL or rules file is null, never a word a script reads as a value', () => {
    const { root, action } = parsed(['list'], file, {});
    const settings = effectiveSettings(root, action, file);
    expect(settings.find((s) => s.key === 'output')).toEqual({
      key: 'output',
      value: 'json',
      source: 'file',
      from: '/srv/payops.json',
    });
    expect(settings.every((s) => s.value !== '(none)')).toBe(true);
  });
});
