import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_AHEAD_MIN_BYTES } from '../../src/intake/read-ahead.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import { tempDatabase } from '../helpers/db.js';

const BAD = path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson');
const GENERATE = path.join(REPO_ROOT, 'scripts', 'generate-events.mjs');

/**
 * A large event file is read and judged on the read-ahead thread (compiled code); the sources run
 * by vitest read on the main thread. The same records, good and bad, must give the same summary,
 * rejects, events and orders.
 */
describe('payin run: the read-ahead thread judges as the main thread does', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-read-ahead-'));
  });
  afterEach(() => cleanup());

  /** Generated checkouts with bad lines, duplicates, conflicts and blank lines spread through them. */
  function mixedEvents(): string {
    const generated = path.join(dir, 'generated.ndjson');
    const made = spawnSync(process.execPath, [
      GENERATE,
      '--events',
      '9500',
      '--max-orders',
      '1',
      '--sellers',
      '50',
      '--seed',
      '7',
      '--out',
      generated,
    ]);
    expect(made.status).toBe(0);
    const good = fs.readFileSync(generated, 'utf8').trim().split('\n');
    const bad = fs.readFileSync(BAD, 'utf8').trim().split('\n');
    const lines: string[] = [];
    good.forEach((line, index) => {
      lines.push(line);
      if (index % 701 === 350) lines.push(bad[((index / 701) % bad.length) | 0] as string);
      if (index % 1_013 === 500) lines.push(good[index - 3] as string, '', '{"eventId": ');
      if (index % 1_511 === 900)
        lines.push((good[index - 7] as string).replace(/"amount":"/, '"amount":"1'));
    });
    return `${lines.join('\n')}\n`;
  }

  /** What a book holds of its intake, with the input's name taken out. */
  function intakeOf(db: string, name: string): unknown {
    const book = new Sqlite(db, { readonly: true });
    try {
      const events = book
        .prepare(
          'SELECT event_id, type, content_hash, occurred_at, source, order_count FROM events ORDER BY event_id',
        )
        .all() as { source: string }[];
      const orders = book
        .prepare(
          `SELECT order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor,
                  payment_token, metadata, psp, charge_key FROM orders ORDER BY order_id`,
        )
        .all();
      return {
        events: events.map((event) => ({ ...event, source: event.source.replace(name, 'INPUT') })),
        orders,
      };
    } finally {
      book.close();
    }
  }

  it('a large file read ahead by `payin run` and the same file read on the main thread give the same intake', async () => {
    const text = mixedEvents();
    const file = path.join(dir, 'ahead', 'mixed.ndjson');
    const same = path.join(dir, 'here', 'mixed.ndjson');
    for (const input of [file, same]) {
      fs.mkdirSync(path.dirname(input));
      fs.writeFileSync(input, text);
    }
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(READ_AHEAD_MIN_BYTES);
    const ahead = path.join(dir, 'ahead.db');
    expect(payops(['init', '--db', ahead]).code).toBe(0);
    const run = payops(['payin', 'run', file, '--db', ahead, '--json']);
    expect(run.code).toBe(3);
    expectCheckPasses(ahead);

    // Under vitest the sources run as TypeScript, with no compiled worker: read on this thread.
    const here = tempDatabase();
    try {
      const intake = await ingest(new SqliteIntakeStore(here.db), [same], { psp: 'sim' });
      here.db.close();
      const cli = JSON.parse(run.stdout) as {
        events: Record<string, number>;
        rejections: { file: string }[];
      };
      expect(cli.events).toEqual({
        read: intake.eventsRead,
        accepted: intake.eventsAccepted,
        duplicates: intake.duplicates,
        rejected: intake.rejected,
        releases: intake.releases,
        refunds: intake.refunds,
        payOutsHeld: intake.payOutsHeld,
      });
      expect(intake.rejected).toBeGreaterThan(20);
      const named = (input: string) => (rejection: { file: string }) => {
        expect(rejection.file).toBe(input);
        return { ...rejection, file: 'INPUT' };
      };
      expect(cli.rejections.map(named(file))).toEqual(intake.rejections.map(named(same)));
      const rejects = (input: string): string =>
        fs
          .readFileSync(`${input}.rejects.ndjson`, 'utf8')
          .split(JSON.stringify(input))
          .join('"INPUT"');
      expect(rejects(file)).toBe(rejects(same));
      expect(intakeOf(ahead, file)).toEqual(intakeOf(here.file, same));
    } finally {
      here.cleanup();
    }
  });
});
