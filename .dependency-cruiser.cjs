/**
 * The folder rules of DESIGN §1 and §10 (issue 17, "Guard rails"), checked by `npm run lint`.
 * Today's violations are recorded in .dependency-cruiser-known-violations.json; CI fails on a new
 * one. When a move removes violations, shrink the baseline with `npm run depcruise:baseline`.
 */
const fs = require('node:fs');
const path = require('node:path');

const BASELINE = path.join(__dirname, '.dependency-cruiser-known-violations.json');
const FOLDER_CYCLES = 'no-folder-cycles';
const FOLDER_CYCLE_RULE = {
  comment:
    'Folders do not import each other in circles (DESIGN §1): no folder-level dependency of src/ (any depth) lies on a cycle.',
  severity: 'error',
  scope: 'folder',
};

/**
 * dependency-cruiser's --ignore-known skips module-level violations only, not folder-level ones
 * (see the TODO in its soften-known-violations.mjs). So the known folder cycles are excepted here:
 * each folder with known ones gets a rule of its own that skips the folder dependencies (edges)
 * already on a cycle; any other folder edge that joins a cycle fails. `npm run depcruise:baseline`
 * sets DEPCRUISE_BASELINE so that the rule then reports every cycle again.
 */
function folderCycleRules() {
  const known =
    process.env.DEPCRUISE_BASELINE || !fs.existsSync(BASELINE)
      ? []
      : JSON.parse(fs.readFileSync(BASELINE, 'utf8')).filter(
          (violation) => violation.rule.name === FOLDER_CYCLES,
        );
  const knownEdges = new Map();
  for (const { from, to } of known) knownEdges.set(from, [...(knownEdges.get(from) ?? []), to]);
  const exact = (names) => `^(${[...new Set(names)].map(escapeRegExp).join('|')})$`;
  const rules = [...knownEdges].map(([from, tos]) => ({
    name: FOLDER_CYCLES,
    ...FOLDER_CYCLE_RULE,
    from: { path: exact([from]) },
    to: { path: '^src/', pathNot: exact(tos), circular: true },
  }));
  const others = { path: '^src/' };
  if (knownEdges.size > 0) others.pathNot = exact([...knownEdges.keys()]);
  return [
    { name: FOLDER_CYCLES, ...FOLDER_CYCLE_RULE, from: others, to: { path: '^src/', circular: true } },
    ...rules,
  ];
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every folder of src/ that runs a flow: none of them may be imported by the core folders. */
const FLOWS = [
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
];
/** Where a server or an HTTP client lives: the PSP's HTTP client and `psp serve`, the webhook
 * sender, the Stripe adapter, the webhook listener, and the payment service. */
const HTTP_HOMES = ['src/psp/http/', 'src/psp/stripe/', 'src/webhooks/', 'src/serve/'];
const under = (folders) => `^src/(${folders.join('|')})/`;
const startsWithOneOf = (paths) => `^(${paths.map((p) => p.replace(/\//g, '\\/')).join('|')})`;

module.exports = {
  forbidden: [
    ...folderCycleRules(),
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
