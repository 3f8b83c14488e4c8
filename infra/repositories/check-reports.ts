/**
 * Automatic check reports. A report names drivers, plates and their records, so it is kept here and not in Temporal's
 * history (issue 10, part 6): the check activity stores it and hands the workflow a reference in its place; the API
 * resolves the reference when it shows the report to whom it concerns. Reports recorded before this change carry the
 * report inline and are shown as they are.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AutomaticCheckReport } from '../db/entities';

const STORED_IN = 'automatic_check_report';

/** What the workflow carries instead of the report: where it is (the step whose check wrote it). */
export const storedReportRef = (stepId: string) => ({ storedIn: STORED_IN, stepId });

function storedStepOf(report: unknown): string | undefined {
  const r = report as Record<string, unknown> | null | undefined;
  return r && typeof r === 'object' && r.storedIn === STORED_IN && typeof r.stepId === 'string' ? r.stepId : undefined;
}

/** Idempotent on retry; a re-run of the same step's check replaces its report. */
export async function storeCheckReport(em: EntityManager, caseNo: string, stepId: string, report: Record<string, unknown>): Promise<void> {
  await em
    .createQueryBuilder(AutomaticCheckReport)
    .insert({ caseNo, stepId, report, createdAt: new Date() })
    .onConflict(['caseNo', 'stepId'])
    .merge(['report', 'createdAt'])
    .execute('run');
}

/** Every stored report of a case, by step id. */
export async function loadCheckReports(em: EntityManager, caseNo: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = await em.find(AutomaticCheckReport, { caseNo }, { fields: ['stepId', 'report'] });
  return new Map(rows.map((r) => [r.stepId, r.report]));
}

/** The report to show: the stored one where the record holds a reference, else the inline one (older cases). */
export function resolveReport(report: unknown, stored: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const stepId = storedStepOf(report);
  if (stepId !== undefined) return stored.get(stepId) ?? {};
  return (report ?? {}) as Record<string, unknown>;
}

/** Does this record hold a reference to a stored report (so the stored reports must be loaded to show it)? */
export const refersToStoredReport = (report: unknown): boolean => storedStepOf(report) !== undefined;

/** Deleted with the rest of a case's personal data when its retention ends. */
export async function deleteCheckReports(em: EntityManager, caseNos: string[]): Promise<number> {
  return caseNos.length ? em.nativeDelete(AutomaticCheckReport, { caseNo: { $in: caseNos } }) : 0;
}
