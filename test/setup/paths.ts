import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** The binaries `npm test` installed into .tools/venv (or the paths given in the environment). */
export function cliPath(envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH', binary: string): string {
  const p = process.env[envVar] || path.join(root, '.tools', 'venv', 'bin', binary);
  if (!fs.existsSync(p)) throw new Error(`${p} not found: run \`npm test\` (it installs the Temporal CLI) or set ${envVar}`);
  return p;
}

/** A database of this run's own, on the PostgreSQL server of DATABASE_URL (default the local one). */
export function testDatabaseUrl(): string {
  const base = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/onestop_test_${process.pid}_${Date.now().toString(36)}`;
  return base.toString();
}
