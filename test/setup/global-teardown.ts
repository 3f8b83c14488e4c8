import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dropDatabase } from '../../infra/db/orm';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __onestopTemporal?: TestWorkflowEnvironment }).__onestopTemporal?.teardown();
  if (process.env.DATABASE_URL) await dropDatabase(process.env.DATABASE_URL);
}
