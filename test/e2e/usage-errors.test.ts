import { describe, expect, it } from 'vitest';
import { payops } from '../helpers/cli.js';

/**
 * Whatever commander refuses (unknown option or command, missing argument, bad value) is said like
 * every other payops error: exactly one line on stderr starting `payops: `, exit 2, with commander's
 * did-you-mean kept on that line.
 */
describe('argument errors', () => {
  it.each([
    [
      'an unknown option',
      ['payin', 'run', 'x.ndjson', '--bogus'],
      "payops: unknown option '--bogus' (see payops payin run --help)",
    ],
    [
      'an unknown option with a near name',
      ['payout', 'list', '--stat', 'x'],
      "payops: unknown option '--stat' (did you mean --status?) (see payops payout list --help)",
    ],
    [
      'a missing argument',
      ['payin', 'run'],
      "payops: missing required argument 'files' (see payops payin run --help)",
    ],
    [
      'an unknown subcommand',
      ['ledger', 'balanc'],
      "payops: unknown command 'balanc' (did you mean balance?) (see payops ledger --help)",
    ],
    [
      'an unknown command',
      ['frobnicate'],
      "payops: unknown command 'frobnicate' (see payops --help)",
    ],
    [
      'a bad value',
      ['orders', 'list', '--limit', '-1'],
      "payops: option '--limit <n>' argument '-1' is invalid. expected a whole number greater than zero (see payops orders list --help)",
    ],
    [
      'a bad choice',
      ['payin', 'run', 'x.ndjson', '--format', 'xml'],
      "payops: option '--format <format>' argument 'xml' is invalid. Allowed choices are ndjson, json, csv. (see payops payin run --help)",
    ],
    [
      'a bad argument value',
      ['ledger', 'tx', 'abc'],
      "payops: command-argument value 'abc' is invalid for argument 'id'. expected a transaction id such as 42 (see payops ledger tx --help)",
    ],
    [
      'conflicting options',
      ['ledger', 'balance', '--json', '--csv'],
      "payops: option '--json' cannot be used with option '--csv' (see payops ledger balance --help)",
    ],
    [
      'too many arguments',
      ['ledger', 'balance', 'extra'],
      "payops: too many arguments for 'balance'. Expected 0 arguments but got 1. (see payops ledger balance --help)",
    ],
    [
      'an option without its value',
      ['ledger', 'balance', '--db'],
      "payops: option '--db <path>' argument missing (see payops ledger balance --help)",
    ],
    [
      'an unknown global option',
      ['--db', 'x.db', '--bogus', 'ledger'],
      "payops: unknown option '--bogus' (see payops ledger --help)",
    ],
  ])('says %s in one line and exits 2', (_kind, args, line) => {
    const result = payops(args);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  // Found by the issue-15 review: these printed 22 to 63 lines of help on stderr.
  it.each([[['ledger']], [['report']], [['help', 'bogus']], [[]]])(
    'payops %j is one payops: line too, exit 2',
    (args) => {
      const result = payops(args);
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^payops: /);
    },
  );

  // Found by the second review of issue 15: help for an unknown name printed help, or the wrong line.
  it.each([
    [['help', 'bogus'], 'payops'],
    [['help', 'payin', 'bogus'], 'payops payin'],
    [['ledger', 'help', 'bogus'], 'payops ledger'],
  ])('payops %j names the unknown command (exit 2)', (args, where) => {
    const result = payops(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`payops: unknown command 'bogus' (see ${where} --help)\n`);
  });

  it('names the commands a bare group has', () => {
    expect(payops(['ledger']).stderr).toMatch(
      /^payops: ledger needs a command: post, balance, history, .* \(see payops ledger --help\)\n$/,
    );
  });

  it('keeps help and --version at exit 0 on stdout', () => {
    expect(payops(['ledger', '--help'])).toMatchObject({ code: 0, stderr: '' });
    expect(payops(['--version'])).toMatchObject({ code: 0, stderr: '' });
  });
});
