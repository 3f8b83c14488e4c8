/**
 * `npm run db:migrate` / `node dist/scripts/migrate.js`: creates the database when missing and applies the committed
 * migrations. Runs as a one-shot before the API and the workers start (a Kubernetes Job, a compose one-shot service),
 * so replicas never race to change the schema. Two runs at once are serialised by a PostgreSQL advisory lock.
 */
import { Client } from 'pg';
import { loadConfig } from '../infra/config';
import { ensureDatabase, migrate, openOrm } from '../infra/db/orm';
import { fatal } from '../infra/process';

/** Any constant: the key of the advisory lock that serialises concurrent migration runs. */
const MIGRATION_LOCK_KEY = 'onestop:migrate';

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//…@');

async function main(): Promise<void> {
  const started = Date.now();
  const { databaseUrl } = loadConfig();
  console.log(`migrate: ${redact(databaseUrl)}`);

  try {
    if (await ensureDatabase(databaseUrl)) console.log('migrate: database created');
  } catch (err) {
    // Managed PostgreSQL often gives the app no access to the `postgres` maintenance database, or no CREATEDB: the
    // database is then provisioned by the platform, and the migrations below say clearly if it is not there.
    console.warn(`migrate: could not check or create the database (${(err as Error).message}); assuming it exists`);
  }

  const lock = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    const orm = await openOrm(databaseUrl);
    try {
      const applied = await migrate(orm);
      console.log(applied.length ? `migrate: applied ${applied.join(', ')}` : 'migrate: schema up to date, nothing applied');
    } finally {
      await orm.close();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
  console.log(`migrate: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch(fatal('migrate'));
