// The floor for posting: bare better-sqlite3 writing the same rows (one journal row and two entry
// rows per transaction) with the same pragmas and batch size, but no indexes, triggers, hashing,
// validation or balances.
import Sqlite from 'better-sqlite3';

const [n, batch, file] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE tx (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL, effective_at TEXT NOT NULL, created_at TEXT NOT NULL);
         CREATE TABLE entry (id INTEGER PRIMARY KEY, tx_id INTEGER NOT NULL, account TEXT NOT NULL, direction TEXT NOT NULL, amount_minor INTEGER NOT NULL)`);
const insertTx = db.prepare('INSERT INTO tx (id, idempotency_key, kind, description, effective_at, created_at) VALUES (?, ?, ?, ?, ?, ?)');
const insertEntry = db.prepare('INSERT INTO entry (tx_id, account, direction, amount_minor) VALUES (?, ?, ?, ?)');
const at = new Date().toISOString();
const started = process.hrtime.bigint();
for (let start = 0; start < n; start += batch) {
  db.transaction(() => {
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const amount = 100 + (i % 10_000);
      insertTx.run(i + 1, `bench-${i}`, 'bench.capture', `capture ${i}`, at, at);
      insertEntry.run(i + 1, 'assets:psp:sim:receivable', 'debit', amount);
      insertEntry.run(i + 1, `liabilities:sellers:seller_${i % 1000}:pending`, 'credit', amount);
    }
  })();
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
db.close();
process.stdout.write(JSON.stringify({ seconds }));
