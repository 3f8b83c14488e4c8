/**
 * Records one complete history per service (happy path) into test/replay/histories/<version>-<service>.json, for the
 * replay test that guards every change to the workflow code. After an intentional, patched() change to the workflow,
 * record the new version beside the old ones (both must keep replaying):
 *   npx tsx test/replay/record-histories.ts v3
 * It starts its own Temporal dev server and a scratch PostgreSQL database, and removes both afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureDatabase, dropDatabase, migrate, openOrm } from '../../infra/db/orm';
import { seedDemoData } from '../../infra/db/seed';
import { SEARCH_ATTRIBUTE_KEYS, reviewDecisionSignal, supplementSignal } from '../../workflows/definitions';
import type { Department } from '../../domain/types';
import { freightCompanyApplication, oversizeCargoApplication, schoolBusApplication } from '../fixtures/applications';
import { makeWorker, openStep, submit, uniqueQueue, waitForState } from '../helpers/harness';
import { cliPath, testDatabaseUrl } from '../setup/paths';

async function main() {
  const version = process.argv[2];
  if (!/^v\d+$/.test(version ?? '')) throw new Error('usage: record-histories.ts v<N> (the workflow version these histories are of)');
  const dbUrl = testDatabaseUrl();
  await ensureDatabase(dbUrl);
  process.env.DATABASE_URL = dbUrl;
  const orm = await openOrm(dbUrl);
  await migrate(orm);
  await seedDemoData(orm);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cliPath('TEMPORAL_CLI_PATH', 'temporal') }, searchAttributes: SEARCH_ATTRIBUTE_KEYS, extraArgs: ['--headless'] },
  });
  const taskQueue = uniqueQueue('record');
  const worker = await makeWorker(env, orm, taskQueue);
  const deps = { orm, client: env.client, taskQueue };
  const approve = (stepId: string, department: Department) => ({ decisionId: randomUUID(), stepId, department, decision: 'approve' as const, comment: 'ok', reviewer: `${department}-1` });
  const out = path.join(__dirname, 'histories');
  try {
    await worker.runUntil(async () => {
      const runs: [string, string, [string, Department][]][] = [
        ['school-bus', (await submit(deps, 'SCHOOLBUS', schoolBusApplication())).caseNo, [
          ['education-acceptance', 'education'], ['police-opinion', 'public_security'], ['transport-opinion', 'transport'],
          ['education-opinion', 'education'], ['government-approval', 'government_office'], ['sign-issuance', 'public_security'],
        ]],
        ['freight-company', (await submit(deps, 'FREIGHTCO', freightCompanyApplication())).caseNo, [['transport-review', 'transport']]],
        ['oversize-cargo', (await submit(deps, 'OVERSIZE', oversizeCargoApplication())).caseNo, []],
      ];
      for (const [name, caseNo, plan] of runs) {
        const handle = env.client.workflow.getHandle(caseNo);
        for (const [stepId, dept] of plan) {
          if (name === 'school-bus' && stepId === 'transport-opinion') continue; // approved inside the supplement round
          await waitForState(handle, openStep(stepId));
          // The school-bus history also carries a supplement round: police ask, the applicant supplies, police approve.
          if (name === 'school-bus' && stepId === 'police-opinion') {
            await handle.signal(reviewDecisionSignal, { ...approve(stepId, dept), decision: 'request_supplement', missing: [{ material: 'route-plan', reason: 'stops' }] });
            await handle.signal(reviewDecisionSignal, approve('transport-opinion', 'transport'));
            await waitForState(handle, (s) => s.status === 'awaiting_supplement');
            await handle.signal(supplementSignal, { supplementId: randomUUID(), materials: [{ material: 'route-plan', reference: 'upload:r2' }] });
            await waitForState(handle, openStep(stepId));
          }
          await handle.signal(reviewDecisionSignal, approve(stepId, dept));
        }
        await handle.result();
        const history = await handle.fetchHistory();
        fs.writeFileSync(path.join(out, `${version}-${name}.json`), JSON.stringify({ workflowId: caseNo, history }, null, 1));
        console.log(`recorded ${name}: ${history.events?.length} events`);
      }
    });
  } finally {
    await env.teardown();
    await orm.close();
    await dropDatabase(dbUrl);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
