import type { CorpusCase } from './harness.js';

/**
 * Command lines with a bad flag or argument, on the book of the event corpus. The documented
 * behaviour: exit 2 with a line naming the flag, before anything is read or written, so the
 * database is exactly as it was. `{input}` is events/malformed-json.ndjson (good and bad lines:
 * a run that started anyway would write its good lines); `{dir}` is a directory.
 */
const usage = (args: readonly string[], message: string | RegExp, name?: string): CorpusCase => ({
  name: name ?? args.join(' '),
  input: 'events/malformed-json.ndjson',
  args,
  expect: { exit: 2, message },
});

export const FLAG_CASES: readonly CorpusCase[] = [
  usage(
    ['payin', 'run', '{input}', '--faults', 'timeout=2'],
    '--faults: timeout must be a probability between 0 and 1',
  ),
  usage(['payin', 'run', '{input}', '--faults', 'boom=0.1'], '--faults: unknown fault "boom"'),
  usage(
    ['payin', 'run', '{input}', '--faults', 'timeout=0.7,5xx=0.7'],
    '--faults: timeout + 5xx + 429 + reset must not exceed 1',
  ),
  usage(['payin', 'run', '{input}', '--fee-rule', '3'], '--fee-rule: "3" is not a fee rule'),
  usage(
    ['payin', 'run', '{input}', '--batch-size', '0'],
    "option '--batch-size <n>' argument '0' is invalid",
  ),
  usage(
    ['payin', 'run', '{input}', '--lease-ms', '-1'],
    "option '--lease-ms <ms>' argument '-1' is invalid",
  ),
  usage(
    ['payin', 'run', '{input}', '--max-attempts', '1e3'],
    "option '--max-attempts <n>' argument '1e3' is invalid",
  ),
  usage(
    ['payin', 'run', '{input}', '--retry-base-ms', '1.5'],
    "option '--retry-base-ms <ms>' argument '1.5' is invalid",
  ),
  usage(
    ['payin', 'run', '{input}', '--format', 'xml'],
    "argument 'xml' is invalid. Allowed choices are ndjson, json, csv",
  ),
  usage(
    ['payin', 'run', '{input}', '--psp', 'paypal'],
    "argument 'paypal' is invalid. Allowed choices are sim, http, stripe",
  ),
  usage(
    ['payin', 'run', '{input}', '--psp', 'stripe'],
    '--psp stripe needs a Stripe secret key, and STRIPE_API_KEY is not set',
  ),
  usage(['payin', 'run', '{input}', '--psp', 'http'], '--psp http needs --psp-url'),
  usage(
    [
      'payin',
      'run',
      '{input}',
      '--psp',
      'http',
      '--psp-url',
      'http://127.0.0.1:9',
      '--faults',
      'timeout=0.1',
    ],
    '--faults: only for the simulated PSP, not for --psp http',
  ),
  usage(
    ['payin', 'run', '{missing}'],
    /input file .*nothing-here does not exist/,
    'payin run of a file that does not exist',
  ),
  usage(['payin', 'run', '{dir}'], /input .* is not a file/, 'payin run of a directory'),
  usage(
    ['payin', 'run', '{input}', '{missing}'],
    /input file .*nothing-here does not exist/,
    'payin run of a good file and a missing one reads neither',
  ),
  usage(
    ['payin', 'run', '{input}', '--rejects', '{missing}'],
    /cannot write rejected records to .*nothing-here: .* is not a directory payops may write/,
    'payin run with --rejects in a directory that does not exist',
  ),
  usage(
    ['payin', 'run', '{input}', '--rejects', '{dir}/books.db'],
    /--rejects .*books\.db is the database; payops will not write over it/,
    'payin run with --rejects naming the database',
  ),
  usage(
    ['payin', 'run', '{input}', '--rejects', '{dir}/books.db-wal'],
    /--rejects .*books\.db-wal is the database's -wal file/,
    'payin run with --rejects naming the database -wal',
  ),
  usage(
    ['payin', 'run', '{input}', '--rejects', '{input}'],
    /--rejects .*malformed-json\.ndjson is an input of this command/,
    'payin run with --rejects naming its own input',
  ),
  usage(
    ['payin', 'run', '{input}', '--rejects', '{dir}/books.psp-sim.db'],
    /--rejects .*books\.psp-sim\.db is the PSP state file/,
    'payin run with --rejects naming the PSP state',
  ),
  usage(['payin', 'run'], "missing required argument 'files'"),
  usage(
    ['payout', 'run', '--min-amount', '1e3'],
    '--min-amount: "1e3" is not an amount such as "10.00"',
  ),
  usage(['payout', 'run', '--min-amount', '-5'], '--min-amount: "-5" is not an amount'),
  usage(
    ['payout', 'run', '--currency', 'usd'],
    '--currency: "usd" is not an ISO 4217 currency code (did you mean "USD"?)',
  ),
  usage(
    ['payout', 'run', '--currency', 'XXX'],
    '--currency: "XXX" is not an ISO 4217 currency code',
  ),
  usage(
    ['payout', 'run', '--currency', 'USD', '--min-amount', '1.001'],
    '--min-amount: "1.001" has more decimals than USD allows (2)',
  ),
  usage(
    ['payout', 'run', '--currency', 'USD', '--min-amount', '10000000000000.01'],
    '--min-amount: "10000000000000.01" is more than one amount may be (10000000000000.00 USD)',
  ),
  usage(
    ['payout', 'list', '--status', 'bogus'],
    "argument 'bogus' is invalid. Allowed choices are created, executing, succeeded, failed, retry_scheduled, dead_lettered",
  ),
  usage(
    ['orders', 'list', '--status', 'bogus'],
    "argument 'bogus' is invalid. Allowed choices are created",
  ),
  usage(['orders', 'list', '--limit', '-1'], "option '--limit <n>' argument '-1' is invalid"),
  usage(
    ['ledger', 'balance', '--as-of', '2026-13-01'],
    'payops: --as-of: "2026-13-01" is not a real date and time',
  ),
  usage(
    ['ledger', 'balance', '--as-of', '2026-11-23T10:00:00'],
    'payops does not guess time zones',
  ),
  usage(
    ['ledger', 'balance', '--as-of', '23/11/2026'],
    '--as-of: "23/11/2026" is not an ISO 8601 time',
  ),
  usage(['ledger', 'balance', '--depth', '0'], "option '--depth <n>' argument '0' is invalid"),
  usage(
    ['ledger', 'balance', '--json', '--csv'],
    "option '--json' cannot be used with option '--csv'",
  ),
  usage(
    ['ledger', 'history', 'assets:bank', '--limit', '0'],
    "option '--limit <n>' argument '0' is invalid",
  ),
  usage(
    ['report', 'daily', '--date', '2026-02-30'],
    'payops: --date: "2026-02-30" is not a real date and time',
  ),
  usage(
    ['report', 'daily', '--date', 'yesterday'],
    '--date: "yesterday" is not a date such as 2026-11-23',
  ),
  usage(['ledger', 'tx', 'abc'], "command-argument value 'abc' is invalid for argument 'id'"),
  usage(
    ['ledger', 'tx', '99999999999999999999'],
    "command-argument value '99999999999999999999' is invalid",
  ),
  usage(['ledger', 'tx', '9999'], 'transaction 9999 does not exist'),
  usage(
    ['ledger', 'reverse', '1', '--reason', '  '],
    '--reason: say why the transaction is reversed',
  ),
  usage(
    ['ledger', 'reverse', '--reason', 'x'],
    'name the transaction by its id or by --key (one of them)',
  ),
  usage(['ledger', 'post'], "required option '--file <file>' not specified"),
  usage(
    ['ledger', 'post', '--file', '{missing}'],
    /nothing-here does not exist/,
    'ledger post of a file that does not exist',
  ),
  usage(
    ['ledger', 'post', '--file', '{dir}'],
    /cannot read .*: not a file/,
    'ledger post of a directory',
  ),
  usage(
    ['ledger', 'export', '--format', 'xlsx'],
    "argument 'xlsx' is invalid. Allowed choices are hledger, beancount, csv",
  ),
  usage(
    ['ledger', 'export', '--format', 'csv', '--out', '{missing}'],
    /cannot write .*nothing-here: ENOENT/,
    'ledger export to a directory that does not exist',
  ),
  usage(
    ['ledger', 'export', '--format', 'csv', '--out', '{dir}/books.db'],
    /--out .*books\.db is the database/,
    'ledger export onto the database',
  ),
  usage(
    ['ledger', 'export', '--format', 'csv', '--out', '{dir}/books.db-shm'],
    /--out .*books\.db-shm is the database's -shm file/,
    'ledger export onto the database -shm',
  ),
  usage(
    ['check', '--psp-state', '{missing}'],
    /--psp-state: .*nothing-here does not exist/,
    'check with a PSP state file that does not exist',
  ),
  usage(
    ['dlq', 'requeue'],
    'name the charges (order ids), refunds or payouts to requeue, or pass --all (not both)',
  ),
  usage(['orders', 'show', 'nope'], 'order nope does not exist'),
  usage(['wallet', 'show', 'nope'], 'seller nope has no wallet'),
  usage(
    ['--busy-timeout', 'soon', 'ledger', 'balance'],
    "option '--busy-timeout <ms>' argument 'soon' is invalid",
  ),
  usage(
    ['--stripe-api-key', 'sk_test_planted', 'ledger', 'balance'],
    "unknown option '--stripe-api-key'",
    'a secret as a flag is refused: secrets come from the environment only',
  ),
  usage(
    ['--webhook-secret', 'whsec_planted', 'ledger', 'balance'],
    "unknown option '--webhook-secret'",
    'a webhook secret as a flag is refused',
  ),
  usage(['nope'], "unknown command 'nope'"),

  // Reconciliation, the PSP's own commands and webhooks (PAYOPS_WEBHOOK_SECRET is set for this target).
  usage(['reconcile', 'run', '{input}', '--psp', 'Sim!'], '--psp: "Sim!" is not a PSP name'),
  usage(
    ['reconcile', 'run', '{missing}'],
    /settlement file .*nothing-here does not exist/,
    'reconcile run of a file that does not exist',
  ),
  usage(
    ['reconcile', 'run', '{dir}'],
    /settlement file .* is a directory/,
    'reconcile run of a directory',
  ),
  usage(
    ['reconcile', 'run', '{input}', '--format', 'xml'],
    "argument 'xml' is invalid. Allowed choices are payops, stripe, adyen, paypal, generic",
  ),
  usage(
    ['reconcile', 'run', '{input}', '--format', 'generic'],
    '--format generic needs a --mapping FILE',
  ),
  usage(
    [
      'reconcile',
      'run',
      '{input}',
      '--format',
      'stripe',
      '--mapping',
      '{corpus}/settlement/mapping-good.json',
    ],
    '--mapping describes a generic CSV; it cannot be used with --format stripe',
  ),
  usage(
    ['reconcile', 'run', '{input}', '--mapping', '{missing}'],
    /--mapping .*nothing-here does not exist/,
    'reconcile run with a mapping file that does not exist',
  ),
  usage(
    ['reconcile', 'run', '{input}', '--rules', '{missing}'],
    /--rules: .*nothing-here cannot be read \(ENOENT\)/,
    'reconcile run with a rules file that does not exist',
  ),
  usage(
    ['reconcile', 'run', '{input}', '--rules', '{dir}'],
    /--rules: .* cannot be read \(EISDIR\)/,
    'reconcile run with a directory for rules',
  ),
  usage(
    ['reconcile', 'run', '{input}', '--grace-days', '-1'],
    "option '--grace-days <n>' argument '-1' is invalid",
  ),
  usage(['reconcile', 'report', '--run', '0'], "option '--run <id>' argument '0' is invalid"),
  usage(['reconcile', 'report', '--run', '99'], 'reconciliation run 99 does not exist'),
  usage(['reconcile', 'report', '--json', '--csv'], '--json and --csv: choose one'),
  usage(['reconcile', 'review', '--run', '99'], 'reconciliation run 99 does not exist'),
  usage(['reconcile', 'decide', 'rm_nope', 'accept'], 'reconciliation item rm_nope does not exist'),
  usage(
    ['reconcile', 'decide', 'rm_nope', 'explode'],
    "value 'explode' is invalid for argument 'action'. Allowed choices are accept, write-off, link, note, proposed",
  ),
  usage(
    ['psp', 'settle', '--date', '2026-13-01', '--out', '{dir}/day.csv'],
    '--date: "2026-13-01" is not a day such as 2026-11-23',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{missing}'],
    /cannot write .*nothing-here: ENOENT/,
    'psp settle to a directory that does not exist',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{dir}'],
    /cannot write .*: EISDIR \(it is a directory: name a file\)/,
    'psp settle onto a directory',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{dir}/day.csv', '--manifest', '{missing}'],
    /cannot write .*nothing-here: ENOENT/,
    'psp settle with a manifest it cannot write',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{dir}/day.csv', '--psp-state', '{missing}'],
    /no simulated PSP state at .*nothing-here/,
    'psp settle without the PSP state',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{dir}/books.db'],
    /--out .*books\.db is the database/,
    'psp settle onto the database',
  ),
  usage(
    ['psp', 'settle', '--date', '2026-11-23', '--out', '{dir}/books.psp-sim.db'],
    /--out .*books\.psp-sim\.db is the PSP state file/,
    'psp settle onto the PSP state',
  ),
  usage(
    [
      'psp',
      'settle',
      '--date',
      '2026-11-23',
      '--out',
      '{dir}/day.csv',
      '--manifest',
      '{dir}/books.db',
    ],
    /is the database/,
    'psp settle with its manifest onto the database',
  ),
  usage(
    ['bank', 'statement', '--date', '2026-13-01', '--format', 'camt053', '--out', '{dir}/day.xml'],
    '--date: "2026-13-01" is not a day such as 2026-11-23',
  ),
  usage(
    ['bank', 'statement', '--date', '2026-11-24', '--format', 'ofx', '--out', '{dir}/day.ofx'],
    '--format: "ofx" is not one of camt053, mt940, bai2, csv',
  ),
  usage(
    [
      'bank',
      'statement',
      '--date',
      '2026-11-24',
      '--format',
      'camt053',
      '--out',
      '{dir}/day.xml',
      '--delay-days',
      '31',
    ],
    '--delay-days: 31 is not a whole number of business days from 0 to 30',
  ),
  usage(
    [
      'bank',
      'statement',
      '--date',
      '2026-11-24',
      '--format',
      'camt053',
      '--out',
      '{dir}/day.xml',
      '--inject-discrepancies',
      '-1',
    ],
    "option '--inject-discrepancies <n>' argument '-1' is invalid",
  ),
  usage(
    ['bank', 'statement', '--date', '2026-11-24', '--format', 'camt053', '--out', '{missing}'],
    /cannot write .*nothing-here: ENOENT/,
    'bank statement to a directory that does not exist',
  ),
  usage(
    ['bank', 'statement', '--date', '2026-11-24', '--format', 'camt053', '--out', '{dir}/books.db'],
    /--out .*books\.db is the database/,
    'bank statement onto the database',
  ),
  usage(
    [
      'bank',
      'statement',
      '--date',
      '2026-11-24',
      '--format',
      'camt053',
      '--out',
      '{dir}/day.xml',
      '--manifest',
      '{dir}/books.psp-sim.db',
    ],
    /is the PSP state file/,
    'bank statement with its manifest onto the PSP state',
  ),
  usage(
    ['webhooks', 'listen', '--record', '{dir}/books.db'],
    /--record .*books\.db is the database/,
    'webhooks listen recording onto the database',
  ),
  usage(
    [
      'psp',
      'settle',
      '--date',
      '2026-11-23',
      '--out',
      '{dir}/day.csv',
      '--inject-discrepancies',
      '-1',
    ],
    "option '--inject-discrepancies <n>' argument '-1' is invalid",
  ),
  usage(
    ['psp', 'serve', '--state', '{dir}/psp.db', '--port', '70000'],
    "option '--port <port>' argument '70000' is invalid. expected a port from 0 to 65535",
  ),
  usage(
    ['psp', 'serve', '--state', '{dir}/psp.db', '--webhook-url', 'ftp://127.0.0.1/'],
    '--webhook-url: "ftp://127.0.0.1/" is not an http(s) URL',
  ),
  usage(
    ['psp', 'serve', '--state', '{dir}/psp.db', '--faults', 'timeout=2'],
    '--faults: timeout must be a probability between 0 and 1',
  ),
  usage(
    ['webhooks', 'listen', '--port', '70000'],
    "option '--port <port>' argument '70000' is invalid",
  ),
  usage(['webhooks', 'listen', '--port', '-1'], "option '--port <port>' argument '-1' is invalid"),
  usage(
    ['webhooks', 'listen', '--tolerance-s', '0'],
    "option '--tolerance-s <s>' argument '0' is invalid",
  ),
  usage(
    ['webhooks', 'listen', '--record', '{missing}'],
    /cannot write .*nothing-here: ENOENT/,
    'webhooks listen recording to a directory that does not exist',
  ),
  usage(
    ['webhooks', 'listen', '--secret', 'whsec_planted'],
    "unknown option '--secret'",
    'the webhook secret as a flag of listen is refused',
  ),
  usage(
    ['webhooks', 'replay', '{missing}'],
    /nothing-here does not exist/,
    'webhooks replay of a file that does not exist',
  ),
  usage(
    ['webhooks', 'replay', '{dir}'],
    / is not a file \(name a file written by `payops webhooks listen --record`\)/,
    'webhooks replay of a directory',
  ),
  usage(
    ['webhooks', 'replay', '{input}', '--max-body-bytes', '0'],
    "option '--max-body-bytes <n>' argument '0' is invalid",
  ),
];

/** The database itself named wrongly: not a file, or missing. */
export const DATABASE_FLAG_CASES: readonly {
  name: string;
  db: 'dir' | 'missing';
  args: readonly string[];
  message: string | RegExp;
}[] = [
  {
    name: '--db naming a directory',
    db: 'dir',
    args: ['ledger', 'balance'],
    message: /database .* is not a file \(pass --db \/ set PAYOPS_DB to the database file itself\)/,
  },
  {
    name: '--db naming a file that does not exist',
    db: 'missing',
    args: ['payin', 'run', 'x.ndjson'],
    message: /database .* does not exist \(create it with `payops init/,
  },
];
