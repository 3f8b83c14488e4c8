/**
 * An automatic check's report names drivers, plates and their records: it is kept in PostgreSQL and the workflow's
 * history carries only the verdict, the reasons and a reference (issue 10, part 6). The reviewer still reads the whole
 * report, on the task and on the case.
 */
import { freightCompanyExample } from '../../api/schemas/examples';
import type { Department } from '../../domain/types';
import { testCodec } from '../helpers/harness';
import { payloadsOf, textOf } from '../helpers/history';
import { portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const reviewer = (d: Department) => token('reviewer', d, `${d}-reports`);
// Only the report's findings say this (the company's name and the register it was found in).
const REPORT_ONLY = 'found in the market-regulation register';

it('the report is in PostgreSQL and shown to the reviewer, while the history holds only a reference', async () => {
  const created = await api.call('POST', '/cases', { token: portalToken('city-portal'), body: freightCompanyExample(), headers: { 'Idempotency-Key': 'check-reports-0001' } });
  expect(created.status).toBe(201);
  const caseNo: string = created.body.caseNo;
  const task = await waitFor('the transport task', async () => {
    const q = await api.call('GET', '/reviews?status=open&limit=500', { token: reviewer('transport') });
    return (q.body.tasks as { caseNo: string; taskId: string }[]).find((t) => t.caseNo === caseNo);
  });

  // The reviewer's task and case view carry the full report, resolved from PostgreSQL.
  const detail = await api.call('GET', `/reviews/${encodeURIComponent(task.taskId)}`, { token: reviewer('transport') });
  expect(detail.status).toBe(200);
  expect(JSON.stringify(detail.body.automaticReport.report)).toContain(REPORT_ONLY);
  const view = await api.call('GET', `/cases/${caseNo}`, { token: reviewer('transport') });
  const checked = (view.body.steps as { check?: { report: unknown } }[]).find((s) => s.check);
  expect(JSON.stringify(checked!.check!.report)).toContain(REPORT_ONLY);
  const stored = await api.orm.em.fork().getConnection().execute<{ step_id: string }[]>('select step_id from automatic_check_report where case_no = ?', [caseNo]);
  expect(stored.map((r) => r.step_id)).toHaveLength(1);

  // The history, decoded with the key: the check's verdict is there, its report is not.
  const history = await api.env.client.workflow.getHandle(caseNo).fetchHistory();
  const decoded = textOf(await testCodec().decode(payloadsOf(history))).join('\n');
  expect(decoded).toContain('automatic_check_report'); // the reference
  expect(decoded).not.toContain(REPORT_ONLY);

  await api.call('POST', `/cases/${caseNo}/withdraw`, { token: portalToken('city-portal'), body: { reason: 'test done' } });
});
