/**
 * The Temporal UI tells the story of a case (issue 14, item 6): a school-bus case, run end to end on the real dev
 * server, has a summary on every ActivityTaskScheduled event of its history (not 16 identical `recordCaseProgress`
 * bars), its current details (what the UI's "Current Details" shows, read through the SDK's
 * `__temporal_workflow_metadata` query as the UI does) hold the live step table, and the static summary and details
 * of `describe()` name the service and the case. None of them carries the example's personal data.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { workflowMetadataQuery } from '@temporalio/workflow';
import type { CaseOutcome, Department } from '../../domain/types';
import { DEMO } from '../../infra/db/seed';
import { humanReviewOrder } from '../../infra/services/catalog';
import { reviewDecisionSignal } from '../../workflows/definitions';
import { schoolBusApplication } from '../fixtures/applications';
import { connectTestEnv, makeWorker, openStep, openTestOrm, service, submit, testCodec, uniqueQueue, waitForState } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueQueue('ui-metadata');

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  worker = await makeWorker(env, orm, taskQueue);
  running = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await running;
  await orm.close();
  await env.teardown();
});

/** The example's personal data: none of it may appear in a summary or in the details. */
const PERSONAL = {
  driverName: DEMO.drivers.schoolBus.name,
  driverIdNumber: DEMO.drivers.schoolBus.idCard,
  plate: DEMO.vehicles.schoolBus,
  schoolCreditCode: DEMO.school.creditCode,
  routeStop: '北湖公园',
};

function expectNoPersonalData(text: string): void {
  for (const [what, value] of Object.entries(PERSONAL)) expect({ what, found: text.includes(value) }).toEqual({ what, found: false });
}

/** The summary of an event, decoded as the UI decodes it (through the codec: user metadata is encrypted too). */
async function summaryOf(event: temporal.api.history.v1.IHistoryEvent): Promise<string | undefined> {
  const payload = event.userMetadata?.summary;
  if (!payload) return undefined;
  const [decoded] = await testCodec().decode([payload as Payload]);
  return defaultPayloadConverter.fromPayload<string>(decoded!);
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query(workflowMetadataQuery);
  return metadata.currentDetails ?? '';
}

const PLAN: [string, Department][] = humanReviewOrder(service('SCHOOLBUS')).map(([dept, step]) => [step, dept]);

it('a school-bus case: a summary on every scheduled activity, a live step table without personal data, static summary and details', async () => {
  const { caseNo } = await submit({ orm, client: env.client, taskQueue }, 'SCHOOLBUS', schoolBusApplication());
  const handle = env.client.workflow.getHandle(caseNo);

  // While police and transport review in parallel, the details show both steps open, with their departments and due
  // dates, and education's acceptance approved.
  await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: PLAN[0]![0], department: PLAN[0]![1], decision: 'approve', comment: 'ok', reviewer: 'education-1' });
  const parallel = await waitForState(handle, (s) => openStep('police-opinion')(s) && openStep('transport-opinion')(s));
  const live = await currentDetails(handle);
  expect(live).toContain('| step | department | status | round | due |');
  expect(live).toMatch(/^\*\*in_review\*\* · due \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  expect(live).toContain('pending: public_security, transport');
  const policeDue = parallel.steps.find((s) => s.id === 'police-opinion')!.deadline!.slice(0, 16).replace('T', ' ');
  expect(live).toMatch(new RegExp(`\\| police-opinion [^|]*\\| public_security \\| \\*\\*open\\*\\* \\| 1 \\| ${policeDue} \\|`));
  expect(live).toMatch(/\| education-acceptance [^|]*\| education \| approved ✓ \| 1 \|/);
  expect(live).toMatch(/\| government-approval [^|]*\| government_office \| waiting \| 0 \| — \|/);
  expectNoPersonalData(live);

  for (const [stepId, department] of PLAN.slice(1)) {
    await waitForState(handle, openStep(stepId));
    await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId, department, decision: 'approve', comment: 'ok', reviewer: `${department}-1` });
  }
  const outcome: CaseOutcome = await handle.result();
  expect(outcome.status).toBe('completed');

  // Every activity the case scheduled carries a summary; the progress records say which event and which step, and the
  // issuance which certificates. Before issue 14 all of them were bare activity names.
  // Since v9 the progress records and the calendar read are local activities: their markers carry the summary.
  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? []).flatMap((e) => {
    if (e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) return [{ e, type: e.activityTaskScheduledEventAttributes!.activityType!.name! }];
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = JSON.parse(Buffer.from(marker.details!.data!.payloads![0]!.data!).toString('utf8')) as { activity_type: string };
    return [{ e, type: data.activity_type }];
  });
  expect(scheduled.length).toBeGreaterThan(15);
  const summaries: { type: string; summary: string | undefined }[] = [];
  for (const { e, type } of scheduled) summaries.push({ type, summary: await summaryOf(e) });
  expect(summaries.filter((s) => !s.summary || s.summary.trim() === '')).toEqual([]);
  expect(summaries.every((s) => !s.summary!.includes('\n'))).toBe(true);
  const texts = summaries.map((s) => s.summary!);
  expect(new Set(summaries.filter((s) => s.type === 'recordCaseProgress').map((s) => s.summary)).size).toBe(summaries.filter((s) => s.type === 'recordCaseProgress').length);
  expect(texts).toContain('load the working-day calendar (case deadlines)');
  expect(texts.some((t) => /^record step_opened: police-opinion opened for public_security, round 1, due .* \+ review task$/.test(t))).toBe(true);
  expect(texts.some((t) => /^record decision_applied: approve on transport-opinion \(transport\) \+ review task$/.test(t))).toBe(true);
  expect(texts).toContain('issue certificates: school-bus-permit, school-bus-sign (per vehicle)');
  expect(texts.some((t) => t.startsWith('record case_completed: ') && outcome.certificates.every((c) => t.includes(c.no)))).toBe(true);
  expectNoPersonalData(texts.join('\n'));

  // The final details: completed, every step approved, the certificates by number and type.
  const final = await currentDetails(handle);
  expect(final.startsWith('**completed**')).toBe(true);
  for (const [stepId] of PLAN) expect(final).toMatch(new RegExp(`\\| ${stepId} [^|]*\\| [a-z_]+ \\| approved ✓`));
  for (const c of outcome.certificates) expect(final).toContain(`${c.no} (${c.type})`);
  expectNoPersonalData(final);

  // The static summary and details set at start name the service and the case.
  const description = await handle.describe();
  const staticSummary = await description.staticSummary();
  const staticDetails = await description.staticDetails();
  expect(staticSummary).toBe(`${service('SCHOOLBUS').name.zh} ${caseNo}`);
  expect(staticDetails).toContain(`service \`SCHOOLBUS\``);
  expect(staticDetails).toContain(`Case \`${caseNo}\``);
  expect(staticDetails).toContain('| government-approval ');
  expectNoPersonalData(`${staticSummary}\n${staticDetails}`);
});
