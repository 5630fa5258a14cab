// The floor for posting: bare better-sqlite3 writing the same rows payops writes (one journal row
// with its three 64-hex hashes, two entry rows with account ids and running balances), with the
// same pragmas and batches, but no indexes, constraints, triggers, hashing or validation.
import Sqlite from 'better-sqlite3';

const [n, batch, file] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE ledger_transactions (id INTEGER PRIMARY KEY, idempotency_key TEXT, kind TEXT, description TEXT, effective_at TEXT,
           created_at TEXT, metadata TEXT, reverses_tx_id INTEGER, body_hash TEXT, prev_hash TEXT, hash TEXT);
         CREATE TABLE ledger_entries (id INTEGER PRIMARY KEY, tx_id INTEGER, account_id INTEGER, direction TEXT, amount_minor INTEGER,
           effective_at TEXT, backdated INTEGER, running_balance_minor INTEGER)`);
const insertTx = db.prepare(
  'INSERT INTO ledger_transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const insertEntry = db.prepare(
  'INSERT INTO ledger_entries (tx_id, account_id, direction, amount_minor, effective_at, backdated, running_balance_minor) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const hex = (i, salt) => `${salt}${i.toString(16)}`.padStart(64, '0');
const balances = new Array(1002).fill(0);
const dayMs = Date.parse('2026-11-23T00:00:00Z');
const started = process.hrtime.bigint();
for (let start = 0; start < n; start += batch) {
  const createdAt = new Date().toISOString();
  db.transaction(() => {
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const amount = 100 + (i % 10_000);
      const effectiveAt = new Date(dayMs + Math.floor((i / n) * 86_399_000)).toISOString();
      const seller = 2 + (i % 1000);
      insertTx.run(
        i + 1,
        `bench-${i}`,
        'bench.capture',
        `capture ${i}`,
        effectiveAt,
        createdAt,
        '{}',
        null,
        hex(i, 'a'),
        hex(i, 'b'),
        hex(i, 'c'),
      );
      insertEntry.run(i + 1, 1, 'debit', amount, effectiveAt, 0, (balances[1] += amount));
      insertEntry.run(
        i + 1,
        seller,
        'credit',
        amount,
        effectiveAt,
        0,
        (balances[seller] -= amount),
      );
    }
  })();
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
db.close();
process.stdout.write(JSON.stringify({ seconds }));
