import { describe, expect, it } from 'vitest';
import { redactArgv } from '../../src/runs/commands.js';

describe('redactArgv', () => {
  it('hides the value of a flag whose name says secret, in both spellings', () => {
    expect(
      redactArgv([
        'payin',
        'run',
        '--api-key',
        'sk_live_1',
        '--webhook-secret=whsec_2',
        'day.ndjson',
      ]),
    ).toEqual(['payin', 'run', '--api-key', '***', '--webhook-secret=***', 'day.ndjson']);
  });

  it('hides the password of a URL and keeps the rest', () => {
    expect(redactArgv(['--psp-url', 'https://ops:hunter2@psp.example:8443/v1'])).toEqual([
      '--psp-url',
      'https://***@psp.example:8443/v1',
    ]);
  });

  it('leaves ordinary flags and files alone', () => {
    const argv = [
      '--db',
      'books.db',
      'reconcile',
      'run',
      'settlement.csv',
      '--rules',
      'rules.json',
      '--seed',
      '7',
    ];
    expect(redactArgv(argv)).toEqual(argv);
  });
});
