/**
 * Automatic checks: compare the application with what the government already holds, so that people decide only what
 * the machine cannot. Each check reads PostgreSQL (through the case and reference-data repositories) and returns a
 * report a reviewer can read.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { shanghaiDate } from '../domain/calendar';
import { ageOn } from '../domain/identifiers';
import type { FreightCompanyForm, SchoolBusForm, OversizeCargoForm } from '../domain/forms';
import { runOversizeChecks, type OversizeReferenceData } from '../domain/oversize';
import type { AutomaticCheckKind, AutomaticCheckResult } from '../domain/types';
import { storeCheckReport, storedReportRef } from '../infra/repositories/check-reports';
import { findCaseForm } from '../infra/repositories/cases';
import { findCompany, findPersonForChecks, findVehicle, roadRestrictionsOn } from '../infra/repositories/reference-data';
import { classifyAll, isDatabaseError } from './errors';

/**
 * The age an ID number gives on `today`, or `undefined` when it gives none (an invalid number, a birth date in the
 * future): a finding that fails for a person to look at, never an exception that would fail the check on every retry.
 */
function ageFromIdCard(idCard: unknown, today: string): number | undefined {
  try {
    return typeof idCard === 'string' ? ageOn(idCard, today) : undefined;
  } catch {
    return undefined;
  }
}

/** The issuing jurisdiction of the oversize service (Jining and its counties). */
export const JURISDICTION = {
  name: '济宁市',
  cities: ['济宁市', '任城区', '兖州区', '曲阜市', '邹城市', '微山县', '鱼台县', '金乡县', '嘉祥县', '汶上县', '泗水县', '梁山县'],
};

interface Finding {
  ok: boolean;
  check: string;
  detail: string;
}

function summarise(findings: Finding[], source: string): AutomaticCheckResult {
  const failed = findings.filter((f) => !f.ok);
  return {
    verdict: failed.length === 0 ? 'pass' : 'needs_review',
    hardRefusal: false,
    reasons: failed.map((f) => `${f.check}: ${f.detail}`),
    report: { source, findings },
  };
}

async function loadForm<T>(em: EntityManager, caseNo: string): Promise<T> {
  const form = await findCaseForm(em, caseNo);
  if (!form) throw ApplicationFailure.nonRetryable(`case ${caseNo} not found`, 'CaseNotFound');
  return form as T;
}

async function businessLicence(em: EntityManager, caseNo: string, today: string): Promise<AutomaticCheckResult> {
  const form = await loadForm<FreightCompanyForm>(em, caseNo);
  const company = await findCompany(em, form.applicant.creditCode);
  const findings: Finding[] = [
    {
      ok: !!company,
      check: 'registered',
      detail: company ? `${company.name} found in the market-regulation register` : 'credit code not in the register',
    },
  ];
  if (company) {
    findings.push({ ok: company.businessLicenceStatus === 'active', check: 'licence status', detail: company.businessLicenceStatus });
    findings.push({ ok: company.name === form.applicant.name, check: 'name matches', detail: `${form.applicant.name} / ${company.name}` });
    findings.push({
      ok: company.businessScope.some((s) => s.includes('道路货物运输')),
      check: 'scope covers road freight',
      detail: company.businessScope.join('、'),
    });
  }
  for (const v of form.vehicles) {
    const vehicle = await findVehicle(em, v.plate);
    findings.push({
      ok: !!vehicle && (vehicle.inspectionValidUntil ?? '') >= today,
      check: `vehicle ${v.plate} inspected`,
      detail: vehicle ? `inspection valid until ${vehicle.inspectionValidUntil ?? 'never'}` : 'not registered',
    });
  }
  for (const d of form.drivers) {
    const p = await findPersonForChecks(em, d.idCard);
    const age = ageFromIdCard(d.idCard, today);
    findings.push({
      ok: !!p && age !== undefined && age <= 60 && (p.freightQualificationValidUntil ?? '') >= today && (p.licenceValidUntil ?? '') >= today,
      check: `driver ${d.name}`,
      detail:
        age === undefined
          ? 'the ID number gives no valid birth date'
          : p
            ? `age ${age} (<= 60), qualification until ${p.freightQualificationValidUntil ?? 'none'}, licence until ${p.licenceValidUntil ?? 'none'}`
            : 'no driver record',
    });
  }
  findings.push({ ok: form.safetyManagementSystem, check: 'safety management system', detail: String(form.safetyManagementSystem) });
  return summarise(findings, '道路运输条例 arts. 21-24; market-regulation register');
}

async function schoolBusConditions(em: EntityManager, caseNo: string, today: string): Promise<AutomaticCheckResult> {
  const form = await loadForm<SchoolBusForm>(em, caseNo);
  const vehicle = await findVehicle(em, form.vehicle.plate);
  const driver = await findPersonForChecks(em, form.driver.idCard);
  const age = ageFromIdCard(form.driver.idCard, today);
  const findings: Finding[] = [
    { ok: !!vehicle?.meetsSchoolBusStandard, check: 'vehicle meets the school-bus standard', detail: vehicle ? String(vehicle.meetsSchoolBusStandard) : 'not registered' },
    { ok: (vehicle?.inspectionValidUntil ?? '') >= today, check: 'vehicle inspected', detail: `until ${vehicle?.inspectionValidUntil ?? 'never'}` },
    {
      ok: age !== undefined && age >= 25 && age <= 60,
      check: 'driver age 25-60',
      detail: age === undefined ? 'the ID number gives no valid birth date' : `age ${age}`,
    },
    { ok: (driver?.drivingYears ?? 0) >= 3, check: 'driving experience >= 3 years', detail: `${driver?.drivingYears ?? 0} years` },
    {
      ok: !!driver && !driver.fullPointRecord && !driver.seriousAccident && !driver.drinkDriving && !driver.criminalRecord,
      check: 'driver record clean',
      detail: driver ? 'no full-point, accident, drink-driving or criminal record' : 'no driver record',
    },
    { ok: form.liabilityInsuranceValidUntil >= today, check: 'carrier liability insurance', detail: `until ${form.liabilityInsuranceValidUntil}` },
  ];
  return summarise(findings, '校车安全管理条例 arts. 14-16, 23-24');
}

async function oversizePrereview(em: EntityManager, caseNo: string, today: string): Promise<AutomaticCheckResult> {
  const form = await loadForm<OversizeCargoForm>(em, caseNo);
  const company = await findCompany(em, form.applicant.creditCode);
  const driver = await findPersonForChecks(em, form.driverIdCard);
  const vehicle = await findVehicle(em, form.vehicle.plate);
  const restrictions = await roadRestrictionsOn(em, form.route.segmentIds);
  const ref: OversizeReferenceData = {
    company: company
      ? {
          creditCode: company.creditCode,
          name: company.name,
          operatingPermit: company.operatingPermitNo
            ? { no: company.operatingPermitNo, validUntil: company.operatingPermitValidUntil ?? '', scope: company.operatingScope }
            : null,
          seriousViolation: company.seriousViolation,
          liabilityInsuranceValidUntil: company.liabilityInsuranceValidUntil ?? null,
        }
      : null,
    driver: driver
      ? {
          idCard: driver.idCard,
          name: driver.name,
          licenceClass: driver.licenceClass ?? '',
          licenceValidUntil: driver.licenceValidUntil ?? '',
          freightQualificationValidUntil: driver.freightQualificationValidUntil ?? '',
        }
      : null,
    vehicle: vehicle
      ? {
          plate: vehicle.plate,
          ownerCreditCode: vehicle.ownerKey,
          axles: vehicle.axles,
          configuration: vehicle.configuration as 'truck' | 'combination',
          drivingLicenceValidUntil: vehicle.drivingLicenceValidUntil ?? '',
          inspectionValidUntil: vehicle.inspectionValidUntil ?? '',
          roadTransportCertValidUntil: vehicle.roadTransportCertValidUntil ?? '',
        }
      : null,
    roadRestrictions: restrictions.map((r) => ({
      id: r.id,
      kind: r.kind as 'bridge' | 'tunnel' | 'underpass' | 'narrow',
      name: r.name,
      ...(r.maxGrossMassKg != null ? { maxGrossMassKg: r.maxGrossMassKg } : {}),
      ...(r.maxHeightMm != null ? { maxHeightMm: r.maxHeightMm } : {}),
      ...(r.maxWidthMm != null ? { maxWidthMm: r.maxWidthMm } : {}),
    })),
    jurisdiction: JURISDICTION,
    travelWindow: { fromHour: 22, toHour: 6 },
    today,
  };
  const report = runOversizeChecks(form, ref);
  return {
    verdict: report.allPass ? 'pass' : report.counts.fail > 0 ? 'fail' : 'needs_review',
    hardRefusal: report.hardRefusal,
    reasons: report.hardRefusal
      ? report.refusalReasons
      : report.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id} ${r.title}: ${r.explanation}`),
    report: report as unknown as Record<string, unknown>,
    statutoryLimitWorkingDays: report.statutoryLimitWorkingDays,
  };
}

export function createCheckActivities(deps: { orm: MikroORM }) {
  const checks: Record<AutomaticCheckKind, (em: EntityManager, caseNo: string, today: string) => Promise<AutomaticCheckResult>> = {
    'business-licence': businessLicence,
    'school-bus-conditions': schoolBusConditions,
    'oversize-prereview': oversizePrereview,
  };
  return classifyAll({
    async runAutomaticCheck(input: { caseNo: string; check: AutomaticCheckKind; stepId: string }): Promise<AutomaticCheckResult> {
      const run = checks[input.check];
      if (!run) throw ApplicationFailure.nonRetryable(`unknown automatic check ${input.check}`, 'InvalidServiceDefinition');
      const em = deps.orm.em.fork();
      let result: AutomaticCheckResult;
      try {
        result = await run(em, input.caseNo, shanghaiDate(Date.now()));
      } catch (err) {
        // The database's errors are classified by the wrapper (transient ones retry). Anything else was thrown by the
        // check on this application's data: it would throw again on every attempt, so a person reviews instead.
        if (err instanceof ApplicationFailure || isDatabaseError(err)) throw err;
        result = unevaluable(err);
      }
      // The report (drivers, plates, records) stays in PostgreSQL; the workflow's history gets a reference to it.
      await storeCheckReport(em, input.caseNo, input.stepId, result.report);
      return { ...result, report: storedReportRef(input.stepId) };
    },
  });
}

/** The verdict of a check that could not evaluate the application's data: a person decides, with the reason. */
export function unevaluable(err: unknown): AutomaticCheckResult {
  const kind = err instanceof Error ? err.name : typeof err;
  const reason = `automatic check: the application data could not be evaluated (${kind}); a person must check it`;
  return { verdict: 'needs_review', hardRefusal: false, reasons: [reason], report: { source: 'automatic check', error: kind, findings: [] } };
}
