// The floor for pay-in: better-sqlite3 inserting one plain row per order, with payops' durability.
import Sqlite from 'better-sqlite3';

const [n, file] = [Number(process.argv[2]), process.argv[3]];
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(
  'CREATE TABLE orders (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, seller_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, status TEXT NOT NULL)',
);
const insert = db.prepare(
  'INSERT INTO orders (order_id, seller_id, currency, amount_minor, status) VALUES (?, ?, ?, ?, ?)',
);
const batch = 4_000;
for (let start = 0; start < n; start += batch) {
  db.transaction(() => {
    for (let i = start; i < Math.min(n, start + batch); i++)
      insert.run(`ord_${i}`, `seller_${i % 1000}`, 'USD', 1000 + (i % 5000), 'succeeded');
  })();
}
db.close();
