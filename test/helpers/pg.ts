import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

/** Where the PostgreSQL suites find their throwaway cluster (scripts/pg-test-cluster.sh prints it). */
export const TEST_PG_URL_VARIABLE = 'PAYOPS_TEST_PG_URL';

/** Run with the cluster's URL; skip, saying why; or fail, in CI, where a skip would hide the suite. */
export type PostgresSuiteMode =
  | { mode: 'run'; url: string }
  | { mode: 'skip'; reason: string }
  | { mode: 'fail'; reason: string };

/** Decides what a PostgreSQL suite does in this environment. */
export function postgresSuiteMode(env: NodeJS.ProcessEnv): PostgresSuiteMode {
  const url = env[TEST_PG_URL_VARIABLE]?.trim();
  if (url !== undefined && url !== '') return { mode: 'run', url };
  const how = `set ${TEST_PG_URL_VARIABLE} to a throwaway cluster's URL (scripts/pg-test-cluster.sh start DIR prints one)`;
  return env.CI === 'true'
    ? { mode: 'fail', reason: `PostgreSQL suites must run in CI: ${how}` }
    : { mode: 'skip', reason: `no PostgreSQL: ${how}` };
}

/**
 * A suite that runs on PostgreSQL. Without a cluster it is skipped with the reason in its name,
 * so the run's list says which suites did not run; in CI (CI=true) it fails instead.
 */
export function describeOnPostgres(name: string, suite: (url: string) => void): void {
  const decided = postgresSuiteMode(process.env);
  if (decided.mode === 'run') describe(name, () => suite(decided.url));
  else if (decided.mode === 'skip')
    describe.skip(`${name} (skipped: ${decided.reason})`, () => suite(''));
  else
    describe(name, () => {
      it('runs on PostgreSQL', () => {
        throw new Error(decided.reason);
      });
    });
}

/** A database of its own on the test cluster, for one suite; `drop` removes it and every connection to it. */
export async function freshPgDatabase(
  clusterUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `payops_test_${randomBytes(6).toString('hex')}`;
  await withClient(clusterUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(clusterUrl, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** One connection for `work`, closed after it whatever happens. */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
