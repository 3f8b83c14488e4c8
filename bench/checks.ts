/**
 * The drills' final check that nothing was lost or duplicated, for a set of cases driven to completion:
 *
 * 1. every case is completed, in PostgreSQL and in Temporal (the workflow execution closed as COMPLETED);
 * 2. exactly the expected certificates per case, and none twice (case, type, subject);
 * 3. every decision applied exactly once: per case, step and decision kind, the `decision_applied` audit entries are
 *    exactly what the review plan needs (one approval per human step, one supplement request where one was asked);
 *    one `supplement_received` per supplement round;
 * 4. no decision lost: every decision the API accepted (202, with its decisionId) is in the case's own record of
 *    decisions (the workflow's state), applied or recorded as a duplicate;
 * 5. the audit log has no gap (seq 1..n) and no review task is left open.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { CaseState } from '../domain/types';
import { caseStateQuery } from '../workflows/definitions';
import { catalog, expectedCertificates, FAST_TRACKED, SUPPLEMENT_PLAN, type ServiceCode } from './driver';

export interface CheckedCase {
  caseNo: string;
  service: ServiceCode;
  supplement: boolean;
  /** decisionIds the API answered 202 for. */
  acceptedDecisions: string[];
}

export interface CheckResult {
  ok: boolean;
  lines: string[];
  problems: string[];
}

const json = (v: string[]) => JSON.stringify(v);

export async function checkNothingLostOrDuplicated(orm: MikroORM, client: Client, cases: CheckedCase[]): Promise<CheckResult> {
  const conn = () => orm.em.fork().getConnection();
  const caseNos = cases.map((c) => c.caseNo);
  const inCases = `(select jsonb_array_elements_text(?::jsonb))`;
  const problems: string[] = [];
  const lines: string[] = [];

  // 1. Completed, in both places.
  const rows = await conn().execute<{ case_no: string; status: string }[]>(`select case_no, status from one_stop_case where case_no in ${inCases}`, [json(caseNos)]);
  const status = new Map(rows.map((r) => [r.case_no, r.status]));
  let temporalCompleted = 0;
  for (const c of cases) {
    if (status.get(c.caseNo) !== 'completed') problems.push(`${c.caseNo}: status ${status.get(c.caseNo) ?? 'missing'} in PostgreSQL`);
    const d = await client.workflow.getHandle(c.caseNo).describe();
    if (d.status.name === 'COMPLETED') temporalCompleted += 1;
    else problems.push(`${c.caseNo}: workflow ${d.status.name}`);
  }
  lines.push(`completed: ${[...status.values()].filter((s) => s === 'completed').length}/${cases.length} in PostgreSQL, ${temporalCompleted}/${cases.length} in Temporal`);

  // 2. Certificates: the expected number, none twice.
  const certs = await conn().execute<{ case_no: string; n: string }[]>(`select case_no, count(*) as n from certificate where case_no in ${inCases} group by case_no`, [json(caseNos)]);
  const certCount = new Map(certs.map((r) => [r.case_no, Number(r.n)]));
  let certOk = 0;
  for (const c of cases) {
    const want = expectedCertificates(c.service);
    if ((certCount.get(c.caseNo) ?? 0) === want) certOk += 1;
    else problems.push(`${c.caseNo}: ${certCount.get(c.caseNo) ?? 0} certificates, expected ${want}`);
  }
  const dupCerts = await conn().execute<{ case_no: string; type: string; subject_key: string; n: string }[]>(
    `select case_no, type, subject_key, count(*) as n from certificate where case_no in ${inCases} group by 1, 2, 3 having count(*) > 1`,
    [json(caseNos)],
  );
  for (const d of dupCerts) problems.push(`${d.case_no}: certificate ${d.type}/${d.subject_key} issued ${d.n} times`);
  lines.push(`certificates: ${certOk}/${cases.length} cases with exactly the expected number (${[...certCount.values()].reduce((a, b) => a + b, 0)} in all); duplicates: ${dupCerts.length}`);

  // 3. Decisions and supplements applied exactly once.
  const applied = await conn().execute<{ case_no: string; step: string; decision: string; n: string }[]>(
    `select case_no, payload->>'stepId' as step, payload->>'decision' as decision, count(*) as n from case_event
     where type = 'decision_applied' and case_no in ${inCases} group by 1, 2, 3`,
    [json(caseNos)],
  );
  const appliedCount = new Map(applied.map((r) => [`${r.case_no}|${r.step}|${r.decision}`, Number(r.n)]));
  const supplements = await conn().execute<{ case_no: string; n: string }[]>(
    `select case_no, count(*) as n from case_event where type = 'supplement_received' and case_no in ${inCases} group by 1`,
    [json(caseNos)],
  );
  const supplementCount = new Map(supplements.map((r) => [r.case_no, Number(r.n)]));
  const ignored = await conn().execute<{ type: string; n: string }[]>(
    `select type, count(*) as n from case_event where type in ('decision_ignored', 'supplement_ignored') and case_no in ${inCases} group by 1`,
    [json(caseNos)],
  );
  let expectedDecisions = 0;
  for (const c of cases) {
    const want = new Map<string, number>();
    if (!FAST_TRACKED.includes(c.service)) {
      for (const s of catalog.get(c.service)!.review.steps) if (s.kind !== 'automatic') want.set(`${s.id}|approve`, 1);
      const plan = SUPPLEMENT_PLAN[c.service];
      if (c.supplement && plan) want.set(`${plan.stepId}|request_supplement`, 1);
    }
    const seen = [...appliedCount].filter(([k]) => k.startsWith(`${c.caseNo}|`)).map(([k, n]) => [k.slice(c.caseNo.length + 1), n] as const);
    for (const [k, n] of want) {
      expectedDecisions += n;
      if ((appliedCount.get(`${c.caseNo}|${k}`) ?? 0) !== n) problems.push(`${c.caseNo}: ${k} applied ${appliedCount.get(`${c.caseNo}|${k}`) ?? 0} times, expected ${n}`);
    }
    for (const [k, n] of seen) if (!want.has(k)) problems.push(`${c.caseNo}: unexpected ${k} applied ${n} times`);
    const wantSupplements = c.supplement && SUPPLEMENT_PLAN[c.service] ? 1 : 0;
    if ((supplementCount.get(c.caseNo) ?? 0) !== wantSupplements) {
      problems.push(`${c.caseNo}: supplement received ${supplementCount.get(c.caseNo) ?? 0} times, expected ${wantSupplements}`);
    }
  }
  const totalApplied = applied.reduce((a, r) => a + Number(r.n), 0);
  lines.push(
    `decisions applied: ${totalApplied} (expected exactly ${expectedDecisions}, one per step and kind); supplements received: ${[...supplementCount.values()].reduce((a, b) => a + b, 0)}; ` +
      `duplicates recorded as ignored: ${ignored.map((r) => `${r.type} ×${r.n}`).join(', ') || 'none'}`,
  );

  // 4. No accepted decision lost: each 202's decisionId is in the case's own record (applied, or ignored as a duplicate).
  let accepted = 0;
  let found = 0;
  for (const c of cases) {
    if (c.acceptedDecisions.length === 0) continue;
    const state: CaseState = await client.workflow.getHandle(c.caseNo).query(caseStateQuery);
    const known = new Map(state.steps.flatMap((s) => s.decisions.map((d) => [d.decisionId, d.ignoredReason ?? 'applied'] as const)));
    for (const id of c.acceptedDecisions) {
      accepted += 1;
      if (known.has(id)) found += 1;
      else problems.push(`${c.caseNo}: accepted decision ${id} is not in the case's record`);
    }
  }
  lines.push(`accepted decisions (HTTP 202) found in their case's record: ${found}/${accepted}`);

  // 5. Audit log without gaps; no task left open.
  const gaps = await conn().execute<{ case_no: string; n: string; max: number }[]>(
    `select case_no, count(*) as n, max(seq) as max from case_event where case_no in ${inCases} group by 1 having count(*) <> max(seq)`,
    [json(caseNos)],
  );
  for (const g of gaps) problems.push(`${g.case_no}: audit log has ${g.n} entries for seq 1..${g.max}`);
  const openTasks = await conn().execute<{ id: string }[]>(`select id from review_task where status = 'open' and case_no in ${inCases}`, [json(caseNos)]);
  for (const t of openTasks) problems.push(`review task ${t.id} is still open`);
  lines.push(`audit log gaps: ${gaps.length}; review tasks left open: ${openTasks.length}`);

  return { ok: problems.length === 0, lines, problems };
}
