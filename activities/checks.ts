/**
 * Automatic checks: compare the application with what the government already holds, so that people decide only what
 * the machine cannot. A step's checks are data when it configures them (`checks`, run by ./configured-checks.ts from
 * the library in domain/checks); the oversize pre-review is code (its category and refusal logic are no library
 * type). Each reads PostgreSQL through the reference-data repository and returns a report a reviewer can read.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { shanghaiDate } from '../domain/calendar';
import type { OversizeCargoForm } from '../domain/forms';
import { runOversizeChecks, type OversizeReferenceData } from '../domain/oversize';
import type { AutomaticCheckKind, AutomaticCheckResult, CodeCheckKind } from '../domain/types';
import { storeCheckReport, storedReportRef } from '../infra/repositories/check-reports';
import { findApplicationForChecks, findCompany, findPersonForChecks, findVehicle, roadRestrictionsOn } from '../infra/repositories/reference-data';
import { catalogSourcesFromEnv, InvalidServiceDefinitionError, loadServiceCatalog } from '../infra/services/catalog';
import { runConfiguredCheck, type DefinitionSource } from './configured-checks';
import { classifyAll, isDatabaseError } from './errors';

/** The issuing jurisdiction of the oversize service (Jining and its counties). */
export const JURISDICTION = {
  name: '济宁市',
  cities: ['济宁市', '任城区', '兖州区', '曲阜市', '邹城市', '微山县', '鱼台县', '金乡县', '嘉祥县', '汶上县', '泗水县', '梁山县'],
};

async function oversizePrereview(em: EntityManager, submitted: Record<string, unknown>, today: string): Promise<AutomaticCheckResult> {
  const form = submitted as unknown as OversizeCargoForm;
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

/** The checks written as code: what no library check type can express (docs/checks.md says why). */
const CODE_CHECKS: Record<CodeCheckKind, (em: EntityManager, form: Record<string, unknown>, today: string) => Promise<AutomaticCheckResult>> = {
  'oversize-prereview': oversizePrereview,
};

export interface CheckActivityDeps {
  orm: MikroORM;
  /**
   * Where a step's configured checks are read (by the case's service code). The worker should pass the catalogue it
   * was configured with; without one, the catalogue the API loads by default is loaded once, from the same sources
   * (data/services, or SERVICES_DIRS and CITY_FILES), so that a worker beside the API never misses a service's checks.
   */
  catalog?: DefinitionSource;
}

export function createCheckActivities(deps: CheckActivityDeps) {
  let catalog = deps.catalog;
  const catalogue = () => (catalog ??= loadServiceCatalog(catalogSourcesFromEnv(process.env)));
  return classifyAll({
    async runAutomaticCheck(input: { caseNo: string; check: AutomaticCheckKind; stepId: string }): Promise<AutomaticCheckResult> {
      const em = deps.orm.em.fork();
      const application = await findApplicationForChecks(em, input.caseNo);
      if (!application) throw ApplicationFailure.nonRetryable(`case ${input.caseNo} not found`, 'CaseNotFound');
      // Own keys only: a check named like an Object method is no code check.
      const code = Object.hasOwn(CODE_CHECKS, input.check) ? CODE_CHECKS[input.check as CodeCheckKind] : undefined;
      const today = shanghaiDate(Date.now());
      let definitions: DefinitionSource;
      try {
        definitions = catalogue();
      } catch (err) {
        // A definition file the catalogue refuses fails every attempt alike: ops fix the file, the case waits flagged.
        if (err instanceof InvalidServiceDefinitionError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidServiceDefinition');
        throw err;
      }
      let result: AutomaticCheckResult | undefined;
      try {
        result = await runConfiguredCheck(em, definitions, application, input, today);
        if (!result && code) result = await code(em, application.form, today);
      } catch (err) {
        // The database's errors are classified by the wrapper (transient ones retry). Anything else was thrown by the
        // check on this application's data: it would throw again on every attempt, so a person reviews instead.
        if (err instanceof ApplicationFailure || isDatabaseError(err)) throw err;
        result = unevaluable(err);
      }
      if (!result) {
        throw ApplicationFailure.nonRetryable(
          `step ${input.stepId} of case ${input.caseNo} (${application.serviceCode}) configures no checks and ${input.check} is not a code check`,
          'InvalidServiceDefinition',
        );
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
