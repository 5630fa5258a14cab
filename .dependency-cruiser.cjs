/**
 * The folder rules of DESIGN §1 and §10 (issue 17, "Guard rails"), checked by `npm run lint`.
 * There is no baseline: every rule holds for the whole of src/, and a change that breaks one fails.
 */
/** Every folder of src/ that runs a flow: none of them may be imported by the core folders. */
const FLOWS = [
  'intake',
  'payments',
  'payouts',
  'refunds',
  'reconcile',
  'bank',
  'work',
  'psp',
  'reports',
  'check',
  'cli',
  'commands',
  'queue',
  'output',
  'serve',
  'webhooks',
];
/** Where a server or an HTTP client lives: the PSP's HTTP client and `psp serve`, the webhook
 * sender, the Stripe adapter, the webhook listener, and the payment service. */
const HTTP_HOMES = ['src/psp/http/', 'src/psp/stripe/', 'src/webhooks/', 'src/serve/'];
const under = (folders) => `^src/(${folders.join('|')})/`;
const startsWithOneOf = (paths) => `^(${paths.map((p) => p.replace(/\//g, '\\/')).join('|')})`;

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        'Folders do not import each other in circles (DESIGN §1): no folder-level dependency of src/ (any depth) lies on a cycle.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { path: '^src/', circular: true },
    },
    {
      name: 'no-circular',
      comment: 'A module does not reach itself through its imports (type-only imports count).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-domain-imports-cli',
      comment: 'No domain folder imports the command line: flags in and rendering out stay in cli/.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|commands)/|^src/cli\\.ts$' },
      to: { path: '^src/(cli|commands)/|^src/cli\\.ts$' },
    },
    {
      name: 'core-imports-no-flow',
      comment: 'ledger, money, postings and db are the core every flow builds on: they import no flow.',
      severity: 'error',
      from: { path: under(['ledger', 'money', 'postings', 'db']) },
      to: { path: `${under(FLOWS)}|^src/cli\\.ts$` },
    },
    {
      name: 'sqlite-driver-only-in-db-sqlite',
      comment:
        'The storage port names no driver (DESIGN §10): only src/db/sqlite/ imports better-sqlite3, types included.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/db/sqlite/' },
      to: { path: '(^|/)node_modules/(@types/)?better-sqlite3/' },
    },
    {
      name: 'flows-reach-storage-through-ports',
      comment:
        "The flows take ports (the Book, src/book/book.ts), not the driver: in work, queue, payouts, refunds, reconcile, payments, bank and intake only the SQLite side (sqlite-*.ts, stores) imports src/db's SQLite side. refunds/apply.ts takes the refund's birth hash, a pure function.",
      severity: 'error',
      from: {
        path: under(['work', 'queue', 'payouts', 'refunds', 'reconcile', 'payments', 'bank', 'intake']),
        pathNot: '(/sqlite-[^/]*|[-/]store)\\.ts$|^src/refunds/apply\\.ts$',
      },
      to: { path: '^src/db/(index\\.ts$|sqlite/)' },
    },
    {
      name: 'postgres-driver-only-in-db-postgres',
      comment: 'Only src/db/postgres/ imports pg (DESIGN §10), types included.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/db/postgres/' },
      to: { path: '(^|/)node_modules/(@types/)?(pg|pg-[a-z-]+)/' },
    },
    {
      name: 'http-only-where-a-server-or-client-lives',
      comment: `node:http and node:https only in ${HTTP_HOMES.join(', ')}.`,
      severity: 'error',
      from: { path: '^src/', pathNot: startsWithOneOf(HTTP_HOMES) },
      to: { dependencyTypes: ['core'], path: '^(node:)?(http|https|http2)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports are dependencies too: the driver is to be named nowhere outside db/sqlite.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
