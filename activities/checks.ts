/**
 * Automatic checks: compare the application with what the government already holds, so that people decide only what
 * the machine cannot. Each check reads PostgreSQL (through the case and reference-data repositories) and returns a
 * report a reviewer can read.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { shanghaiDate } from '../domain/calendar';
import { parseCivilDate } from '../domain/civil-date';
import { addYears, lastScoringPeriods, licenceCovers, requiredLicence, withinLastYear } from '../domain/driving-licence';
import { ageOn } from '../domain/identifiers';
import type { FreightCompanyForm, SchoolBusForm, OversizeCargoForm } from '../domain/forms';
import { runOversizeChecks, type OversizeReferenceData } from '../domain/oversize';
import type { AutomaticCheckKind, AutomaticCheckResult } from '../domain/types';
import { storeCheckReport, storedReportRef } from '../infra/repositories/check-reports';
import { findCaseForm } from '../infra/repositories/cases';
import {
  carrierInsurance,
  findCompany,
  findPeopleForChecks,
  findPersonForChecks,
  findVehicle,
  findVehicleForChecks,
  findVehicles,
  holderName,
  roadRestrictionsOn,
} from '../infra/repositories/reference-data';
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

type PersonRecord = NonNullable<Awaited<ReturnType<typeof findPersonForChecks>>>;
type VehicleRecord = NonNullable<Awaited<ReturnType<typeof findVehicleForChecks>>>;

const NO_DRIVER = 'no driver record in the traffic police records';

/** What the size category of a vehicle rests on, for a reviewer: occupants or mass, and the length when recorded. */
function sizeOf(v: VehicleRecord): string {
  const parts = v.seats != null ? [`${v.seats} occupants`] : [`${v.totalMassKg} kg`];
  if (v.lengthMm != null) parts.push(`${v.lengthMm} mm long`);
  if (v.configuration === 'combination') parts.push('combination');
  return parts.join(', ');
}

/** The owner a vehicle is registered to, by name (never the credit code: the report names no identifiers). */
async function ownerOf(em: EntityManager, v: VehicleRecord, names: Map<string, string>): Promise<string> {
  if (!names.has(v.ownerKey)) names.set(v.ownerKey, (await holderName(em, v.ownerKey)) ?? 'an owner in neither register');
  return names.get(v.ownerKey)!;
}

/**
 * Whether a licence covers every vehicle of the application. The freight form does not say who drives which vehicle,
 * so any driver may be put on any of them (道路货物运输及站场管理规定 art. 6(2)1: "与驾驶车辆相应"); a driver who may
 * drive only some is for a person to accept.
 */
function licenceAgainstFleet(p: PersonRecord, plates: string[], vehicles: Map<string, VehicleRecord>): { ok: boolean; detail: string } {
  const byNeed = new Map<string, string[]>();
  let ok = true;
  for (const plate of plates) {
    const v = vehicles.get(plate);
    const need = v ? requiredLicence(v) : undefined;
    const fits = !!need?.known && licenceCovers(p.licenceClass, need.code);
    ok &&= fits;
    const text = !need ? 'no vehicle record' : !need.known ? need.reason : `${need.category} needs ${need.code}${fits ? '' : ', not held'}`;
    byNeed.set(text, [...(byNeed.get(text) ?? []), plate]);
  }
  const list = [...byNeed].map(([text, ps]) => `${ps.join(', ')}: ${text}`).join('; ');
  return { ok, detail: `${p.licenceClass ?? 'no licence class recorded'} held; ${list}` };
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
  const plates = form.vehicles.map((v) => v.plate);
  const vehicles = await findVehicles(em, plates);
  const owners = new Map<string, string>();
  for (const plate of plates) {
    const vehicle = vehicles.get(plate);
    findings.push({
      ok: !!vehicle && (vehicle.inspectionValidUntil ?? '') >= today,
      check: `vehicle ${plate} inspected`,
      detail: vehicle ? `inspection valid until ${vehicle.inspectionValidUntil ?? 'never'}` : 'not registered',
    });
    // The operating certificate is issued for the applicant's own vehicles (道路运输条例: 车辆营运证 for the vehicles the
    // applicant puts into service; the 行驶证 in 道路货物运输及站场管理规定 art. 8(3) names the owner).
    const own = !!vehicle && vehicle.ownerKey === form.applicant.creditCode;
    findings.push({
      ok: own,
      check: `vehicle ${plate} registered to the applicant`,
      detail: !vehicle ? 'not registered' : own ? `registered to ${form.applicant.name}` : `registered to ${await ownerOf(em, vehicle, owners)}, not to the applicant`,
    });
  }
  const people = await findPeopleForChecks(em, form.drivers.map((d) => d.idCard));
  for (const d of form.drivers) {
    const p = people.get(d.idCard);
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
    findings.push({
      check: `driver ${d.name} licence class fits the vehicles`,
      ...(p ? licenceAgainstFleet(p, plates, vehicles) : { ok: false, detail: NO_DRIVER }),
    });
  }
  findings.push({ ok: form.safetyManagementSystem, check: 'safety management system', detail: String(form.safetyManagementSystem) });
  return summarise(
    findings,
    '道路运输条例 arts. 21-24 (vehicles; drivers with the corresponding licence); 道路货物运输及站场管理规定 arts. 6, 8; ' +
      '机动车驾驶证申领和使用规定 附件1 and GA 802-2019 (licence classes); market-regulation register; vehicle and driver records',
  );
}

/** The full-point record over the last three scoring periods (art. 23(2)), one period at a time. */
function fullPointFinding(driver: PersonRecord | null, today: string): Finding {
  const check = 'no full-point record in the last 3 scoring periods';
  if (!driver) return { ok: false, check, detail: NO_DRIVER };
  if (!driver.licenceFirstIssuedOn) return { ok: false, check, detail: 'no first-issue date on record: the scoring periods cannot be counted' };
  const periods = lastScoringPeriods(driver.licenceFirstIssuedOn, today);
  if (periods.length === 0) return { ok: false, check, detail: `first issued ${driver.licenceFirstIssuedOn}, after today: check the record` };
  const since = periods[0]!.from;
  // A date that is not a date is a record a person must read, not one to skip.
  const hits = (driver.fullPointDates ?? []).filter((d) => !parseCivilDate(d) || d >= since);
  const where = (d: string) => {
    const period = periods.find((p) => d >= p.from && d <= p.to);
    return period ? `${d} (period ${period.from} to ${period.to})` : `${String(d)} (not a date within a period: check the record)`;
  };
  return {
    ok: hits.length === 0,
    check,
    detail:
      hits.length === 0
        ? `periods ${periods.map((p) => `${p.from} to ${p.to}`).join(', ')}: none`
        : `12 points reached on ${hits.map(where).join(', ')}`,
  };
}

async function schoolBusConditions(em: EntityManager, caseNo: string, today: string): Promise<AutomaticCheckResult> {
  const form = await loadForm<SchoolBusForm>(em, caseNo);
  const vehicle = await findVehicleForChecks(em, form.vehicle.plate);
  const driver = await findPersonForChecks(em, form.driver.idCard);
  const insurance = await carrierInsurance(em, form.carrier.creditCode);
  const age = ageFromIdCard(form.driver.idCard, today);
  const need = vehicle ? requiredLicence(vehicle) : undefined;
  const needText = !vehicle ? 'no vehicle record' : need!.known ? `${need!.category} (${sizeOf(vehicle)}) needs ${need!.code}` : need!.reason;
  const ownedByCarrier = !!vehicle && vehicle.ownerKey === form.carrier.creditCode;
  const endorsed = driver?.schoolBusEndorsement ?? null;
  const violations = (driver?.seriousViolations ?? []).filter((v) => !parseCivilDate(v.on) || withinLastYear(v.on, today));
  const findings: Finding[] = [
    { ok: !!vehicle?.meetsSchoolBusStandard, check: 'vehicle meets the school-bus standard', detail: vehicle ? String(vehicle.meetsSchoolBusStandard) : 'not registered' },
    { ok: (vehicle?.inspectionValidUntil ?? '') >= today, check: 'vehicle inspected', detail: `until ${vehicle?.inspectionValidUntil ?? 'never'}` },
    {
      ok: ownedByCarrier,
      check: 'vehicle registered to the carrier',
      detail: !vehicle ? 'not registered' : ownedByCarrier ? `registered to ${form.carrier.name}` : `registered to ${await ownerOf(em, vehicle, new Map())}, not to the carrier`,
    },
    {
      ok: !!driver && !!need?.known && licenceCovers(driver.licenceClass, need.code),
      check: 'licence class fits the bus',
      detail: driver ? `${driver.licenceClass ?? 'no licence class'} held; ${needText}` : NO_DRIVER,
    },
    {
      // The police endorse "准许驾驶校车及相应车型": the endorsement must exist and cover this bus.
      ok: !!endorsed && !!need?.known && licenceCovers(endorsed, need.code),
      check: '校车驾驶资格 held',
      detail: !driver ? NO_DRIVER : endorsed ? `endorsed for school buses of class ${endorsed}; ${needText}` : 'no school-bus endorsement on the licence: apply to the traffic police first (art. 24)',
    },
    { ok: (driver?.licenceValidUntil ?? '') >= today, check: 'driving licence valid', detail: driver ? `until ${driver.licenceValidUntil ?? 'none'}` : NO_DRIVER },
    {
      ok: age !== undefined && age >= 25 && age <= 60,
      check: 'driver age 25-60',
      detail: age === undefined ? 'the ID number gives no valid birth date' : `age ${age}`,
    },
    { ok: (driver?.drivingYears ?? 0) >= 3, check: 'driving experience >= 3 years', detail: `${driver?.drivingYears ?? 0} years` },
    fullPointFinding(driver, today),
    { ok: !!driver && !driver.seriousAccident, check: 'no liability for a fatal or serious-injury accident', detail: driver ? (driver.seriousAccident ? 'liability on record' : 'none on record') : NO_DRIVER },
    { ok: !!driver && !driver.drinkDriving, check: 'no drink-driving record', detail: driver ? (driver.drinkDriving ? 'on record' : 'none on record') : NO_DRIVER },
    {
      ok: !!driver && violations.length === 0,
      check: 'no serious violation in the last year',
      detail: !driver ? NO_DRIVER : violations.length === 0 ? `none since ${addYears(today, -1)}` : violations.map((v) => `${v.kind} on ${String(v.on)}`).join(', '),
    },
    { ok: !!driver && !driver.criminalRecord, check: 'no criminal record', detail: driver ? (driver.criminalRecord ? 'on record' : 'none on record') : NO_DRIVER },
    {
      ok: (driver?.healthDeclarationValidUntil ?? '') >= today,
      check: 'health declaration valid',
      detail: !driver ? NO_DRIVER : driver.healthDeclarationValidUntil ? `until ${driver.healthDeclarationValidUntil}` : 'no health declaration on record',
    },
    {
      // From the carrier's record, not from the form: the form's date is shown only when it says something else.
      ok: (insurance?.validUntil ?? '') >= today,
      check: 'carrier liability insurance',
      detail: !insurance
        ? 'the carrier is in neither the company nor the school register'
        : `${insurance.holder}: until ${insurance.validUntil ?? 'none on record'}` +
          (form.liabilityInsuranceValidUntil && form.liabilityInsuranceValidUntil !== insurance.validUntil ? ` (the form says ${form.liabilityInsuranceValidUntil})` : ''),
    },
  ];
  return summarise(
    findings,
    '校车安全管理条例 art. 14(1) (vehicle: standard, inspected, registered), arts. 14(2) and 24 (校车驾驶资格), ' +
      'art. 23(1) (licence class, age, experience; classes per 机动车驾驶证申领和使用规定 附件1 and GA 802-2019), ' +
      'art. 23(2) (full points; periods per 道路交通安全违法行为记分管理办法 art. 3), art. 23(3) (accidents), ' +
      'art. 23(4) (drink-driving, serious violations in the last year), art. 23(5) (crime), art. 23(6) (health), ' +
      'art. 14(5) (carrier-liability insurance); vehicle, driver, company and school records',
  );
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
