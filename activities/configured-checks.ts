/**
 * The generic runner of checks configured by data (a review step's `checks`, domain/checks): it finds the step's
 * configuration in the catalogue by the case's service, loads the form and the records the configured checks address
 * (one query per register, whatever the number of drivers and vehicles), runs the pure checks and summarises their
 * findings like every findings report. The workflow calls the same `runAutomaticCheck` activity as for a code check.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { emptyRecords, ownersToName, recordsNeeded, runConfiguredChecks, type CheckRecords, type ConfiguredCheck, type Finding } from '../domain/checks';
import type { AutomaticCheckResult, ReviewStepDefinition, ServiceDefinition } from '../domain/types';
import { carrierInsurances, findCompanies, findPeopleForChecks, findVehicles, holderNames } from '../infra/repositories/reference-data';

/** Where the activity reads a service's definition (the catalogue; a test gives its own). */
export interface DefinitionSource {
  get(code: string): ServiceDefinition | undefined;
}

/** A findings report's verdict: pass when every finding is ok, else a person reviews with the failing ones as reasons. */
export function summarise(findings: Finding[], source: string): AutomaticCheckResult {
  const failed = findings.filter((f) => !f.ok);
  return {
    verdict: failed.length === 0 ? 'pass' : 'needs_review',
    hardRefusal: false,
    reasons: failed.map((f) => `${f.check}: ${f.detail}`),
    report: { source, findings },
  };
}

/**
 * The step whose configured checks a call runs: the step of that id when it configures checks; otherwise the step that
 * configures the named check (a caller that knows the check but not the step, as the record-check tests).
 */
export function configuredStep(def: ServiceDefinition | undefined, stepId: string, check: string): (ReviewStepDefinition & { checks: ConfiguredCheck[] }) | undefined {
  const steps = def?.review.steps ?? [];
  const withChecks = (s: ReviewStepDefinition | undefined) => (s?.checks?.length ? (s as ReviewStepDefinition & { checks: ConfiguredCheck[] }) : undefined);
  return withChecks(steps.find((s) => s.id === stepId)) ?? withChecks(steps.find((s) => s.check === check && s.checks?.length));
}

/** Loads every record the checks address in this form, one query per register. */
export async function loadRecords(em: EntityManager, checks: readonly ConfiguredCheck[], form: unknown): Promise<CheckRecords> {
  const need = recordsNeeded(checks, form);
  const records = emptyRecords();
  const [people, vehicles, companies, insurance] = [
    await findPeopleForChecks(em, need.people),
    await findVehicles(em, need.vehicles),
    await findCompanies(em, need.companies),
    await carrierInsurances(em, need.insurance),
  ];
  for (const [k, p] of people) records.people.set(k, p);
  for (const [k, v] of vehicles) records.vehicles.set(k, v);
  for (const [k, c] of companies) records.companies.set(k, c);
  for (const [k, i] of insurance) records.insurance.set(k, i);
  const owners = ownersToName(checks, form, (plate) => vehicles.get(plate)?.ownerKey);
  records.ownerNames = await holderNames(em, owners);
  return records;
}

/**
 * Runs a step's configured checks for a case. `undefined` when the case's service configures none for this step or
 * check (then the check is a code check). A definition version other than the case's is said in the report's source:
 * the catalogue holds the current definition only.
 */
export async function runConfiguredCheck(
  em: EntityManager,
  catalog: DefinitionSource,
  application: { serviceCode: string; definitionVersion: number; form: Record<string, unknown> },
  input: { stepId: string; check: string },
  today: string,
): Promise<AutomaticCheckResult | undefined> {
  const def = catalog.get(application.serviceCode);
  const step = configuredStep(def, input.stepId, input.check);
  if (!def || !step) return undefined;
  const records = await loadRecords(em, step.checks, application.form);
  const { findings, source } = runConfiguredChecks(step.checks, { form: application.form, records, today });
  const version =
    def.version === application.definitionVersion ? '' : ` (checks of definition version ${def.version}; the case was accepted under version ${application.definitionVersion})`;
  return summarise(findings, `${source}${version}`);
}
