// Times the balance report in process: `balances(db)` (now) and `balances(db, { asOf })`, RUNS
// times each on an open database, and prints the milliseconds of every run (the first is cold).
//   node balance-query.mjs FILE AS_OF RUNS
import { openDatabase } from '../../dist/db/index.js';
import { balances } from '../../dist/ledger/index.js';

const [file, asOf, runs] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 7)];
const db = openDatabase(file);
const time = (query) => {
  const started = process.hrtime.bigint();
  const rows = balances(db, query);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: rows.length };
};
const now = Array.from({ length: runs }, () => time({}));
const past = Array.from({ length: runs }, () => time({ asOf }));
db.close();
process.stdout.write(
  JSON.stringify({
    nowMs: now.map((run) => run.ms),
    asOfMs: past.map((run) => run.ms),
    accounts: now[0].rows,
    accountsAsOf: past[0].rows,
  }),
);
