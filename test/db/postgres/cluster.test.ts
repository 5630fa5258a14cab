import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PG_URL_VARIABLE,
  describeOnPostgres,
  freshPgDatabase,
  postgresSuiteMode,
  withClient,
} from '../../helpers/pg.js';

describe('which PostgreSQL suites run', () => {
  it('run on the cluster named by the variable', () => {
    expect(
      postgresSuiteMode({ [TEST_PG_URL_VARIABLE]: ' postgres://payops@127.0.0.1:5999/postgres ' }),
    ).toEqual({
      mode: 'run',
      url: 'postgres://payops@127.0.0.1:5999/postgres',
    });
  });

  it('are skipped without one, saying how to get one', () => {
    const decided = postgresSuiteMode({ [TEST_PG_URL_VARIABLE]: '' });
    expect(decided.mode).toBe('skip');
    expect(decided).toMatchObject({
      reason: expect.stringContaining('scripts/pg-test-cluster.sh'),
    });
  });

  it('fail in CI without one: a skip there would hide them', () => {
    const decided = postgresSuiteMode({ CI: 'true' });
    expect(decided).toMatchObject({
      mode: 'fail',
      reason: expect.stringMatching(/^PostgreSQL suites must run in CI: set PAYOPS_TEST_PG_URL/),
    });
  });
});

describeOnPostgres('the throwaway PostgreSQL cluster', (clusterUrl) => {
  it('is PostgreSQL 15 or newer, durable (fsync on), UTF-8', async () => {
    const settings = await withClient(clusterUrl, async (client) => {
      const { rows } = await client.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('server_version_num', 'fsync', 'server_encoding')",
      );
      return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
    });
    expect(Number(settings.server_version_num)).toBeGreaterThanOrEqual(150_000);
    expect(settings.fsync).toBe('on');
    expect(settings.server_encoding).toBe('UTF8');
  });

  describe('a database per suite', () => {
    let first: { url: string; drop: () => Promise<void> };
    let second: { url: string; drop: () => Promise<void> };
    beforeAll(async () => {
      first = await freshPgDatabase(clusterUrl);
      second = await freshPgDatabase(clusterUrl);
    });
    afterAll(async () => {
      await first?.drop();
      await second?.drop();
    });

    it('sees only its own tables, and is gone once dropped', async () => {
      await withClient(first.url, (client) => client.query('CREATE TABLE only_here (id bigint)'));
      const inSecond = await withClient(second.url, (client) =>
        client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_here'"),
      );
      expect(inSecond.rows[0]).toEqual({ n: 0 });
      const name = new URL(first.url).pathname.slice(1);
      await first.drop();
      const left = await withClient(clusterUrl, (client) =>
        client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [name]),
      );
      expect(left.rows[0]).toEqual({ n: 0 });
      first = { url: first.url, drop: async () => {} };
    });
  });
});
