/**
 * What the government already holds (companies, schools, people, vehicles, road restrictions) and what applicants
 * submitted before (archived applications), read for prefill and by the automatic checks. Callers decide whose data
 * may be read; this module only reads.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Company, OneStopCase, Person, RoadRestriction, School, Vehicle } from '../db/entities';

export async function findCompany(em: EntityManager, creditCode: string) {
  return em.findOne(Company, { creditCode });
}

/** A school as prefill shows it; its insurance is read by the checks (`carrierInsurance`). */
export async function findSchool(em: EntityManager, creditCode: string) {
  return em.findOne(School, { creditCode }, { fields: ['creditCode', 'name', 'address'] });
}

/**
 * The vehicle fields prefill shows (the PrefillVehicle response, a closed schema): a field added for the checks is not
 * shown to portals by accident. The checks read the whole record (`findVehicleForChecks`, `findVehicles`).
 */
const PREFILL_VEHICLE_FIELDS = [
  'plate',
  'ownerKey',
  'kind',
  'axles',
  'configuration',
  'totalMassKg',
  'seats',
  'drivingLicenceValidUntil',
  'inspectionValidUntil',
  'roadTransportCertValidUntil',
  'meetsSchoolBusStandard',
] as const;

export async function vehiclesOwnedBy(em: EntityManager, ownerKey: string) {
  return em.find(Vehicle, { ownerKey }, { orderBy: { plate: 'asc' }, fields: PREFILL_VEHICLE_FIELDS });
}

/** A vehicle as prefill shows it (and the oversize pre-review reads it). */
export async function findVehicle(em: EntityManager, plate: string) {
  return em.findOne(Vehicle, { plate }, { fields: PREFILL_VEHICLE_FIELDS });
}

/** A vehicle's whole record (its length too), for the automatic checks. */
export async function findVehicleForChecks(em: EntityManager, plate: string) {
  return em.findOne(Vehicle, { plate });
}

/** The registered vehicles among `plates`, by plate (one query for a fleet); unknown plates are absent. */
export async function findVehicles(em: EntityManager, plates: string[]) {
  const found = plates.length ? await em.find(Vehicle, { plate: { $in: [...new Set(plates)] } }) : [];
  return new Map(found.map((v) => [v.plate, v]));
}

/** The name a company or school is registered under, for a report that must say who owns a vehicle. */
export async function holderName(em: EntityManager, creditCode: string): Promise<string | undefined> {
  const company = await em.findOne(Company, { creditCode }, { fields: ['name'] });
  if (company) return company.name;
  return (await em.findOne(School, { creditCode }, { fields: ['name'] }))?.name;
}

/**
 * The carrier-liability insurance (承运人责任保险) the records hold for a school-bus carrier: a school-bus company's, or
 * a school's that runs its own bus. `undefined` when the carrier is in neither register.
 */
export async function carrierInsurance(em: EntityManager, creditCode: string): Promise<{ holder: string; validUntil: string | null } | undefined> {
  const company = await em.findOne(Company, { creditCode }, { fields: ['name', 'liabilityInsuranceValidUntil'] });
  if (company) return { holder: company.name, validUntil: company.liabilityInsuranceValidUntil ?? null };
  const school = await em.findOne(School, { creditCode }, { fields: ['name', 'liabilityInsuranceValidUntil'] });
  return school ? { holder: school.name, validUntil: school.liabilityInsuranceValidUntil ?? null } : undefined;
}

/** The registered companies among `creditCodes`, by credit code (one query); unknown codes are absent. */
export async function findCompanies(em: EntityManager, creditCodes: string[]) {
  const found = creditCodes.length ? await em.find(Company, { creditCode: { $in: [...new Set(creditCodes)] } }) : [];
  return new Map(found.map((c) => [c.creditCode, c]));
}

/** The names companies or schools are registered under, by credit code (two queries for any number); unknown ones are absent. */
export async function holderNames(em: EntityManager, creditCodes: string[]): Promise<Map<string, string>> {
  const codes = [...new Set(creditCodes)];
  if (codes.length === 0) return new Map();
  const companies = await em.find(Company, { creditCode: { $in: codes } }, { fields: ['creditCode', 'name'] });
  const names = new Map(companies.map((c) => [c.creditCode, c.name]));
  const rest = codes.filter((c) => !names.has(c));
  if (rest.length) for (const s of await em.find(School, { creditCode: { $in: rest } }, { fields: ['creditCode', 'name'] })) names.set(s.creditCode, s.name);
  return names;
}

/**
 * `carrierInsurance` for several carriers at once, by credit code: a company's record first, else a school's.
 * Carriers in neither register are absent.
 */
export async function carrierInsurances(em: EntityManager, creditCodes: string[]): Promise<Map<string, { holder: string; validUntil: string | null }>> {
  const codes = [...new Set(creditCodes)];
  if (codes.length === 0) return new Map();
  const out = new Map<string, { holder: string; validUntil: string | null }>();
  for (const c of await em.find(Company, { creditCode: { $in: codes } }, { fields: ['creditCode', 'name', 'liabilityInsuranceValidUntil'] })) {
    out.set(c.creditCode, { holder: c.name, validUntil: c.liabilityInsuranceValidUntil ?? null });
  }
  const rest = codes.filter((c) => !out.has(c));
  if (rest.length) {
    for (const s of await em.find(School, { creditCode: { $in: rest } }, { fields: ['creditCode', 'name', 'liabilityInsuranceValidUntil'] })) {
      out.set(s.creditCode, { holder: s.name, validUntil: s.liabilityInsuranceValidUntil ?? null });
    }
  }
  return out;
}

/**
 * The submitted application the automatic checks compare with the records: its form, and the service and definition
 * version it was accepted under (which say which checks its step configures). Unscoped: the case's own workflow asks.
 */
export async function findApplicationForChecks(
  em: EntityManager,
  caseNo: string,
): Promise<{ serviceCode: string; definitionVersion: number; form: Record<string, unknown> } | undefined> {
  const row = await em.findOne(OneStopCase, { caseNo }, { fields: ['caseNo', 'serviceCode', 'definitionVersion', 'form'] });
  return row ? { serviceCode: row.serviceCode, definitionVersion: row.definitionVersion, form: row.form } : undefined;
}

/** A person's driving qualifications for prefill; criminal and accident records stay with the checks that need them. */
export async function findPersonForPrefill(em: EntityManager, idCard: string) {
  return em.findOne(Person, { idCard }, { fields: ['idCard', 'name', 'licenceClass', 'licenceValidUntil', 'drivingYears', 'freightQualificationValidUntil'] });
}

/**
 * A person's whole record, for the automatic checks only (driving and criminal records, violations and health
 * included: sensitive personal information, PIPL art. 28). Prefill reads `findPersonForPrefill`.
 */
export async function findPersonForChecks(em: EntityManager, idCard: string) {
  return em.findOne(Person, { idCard });
}

/** The whole records of several people, by ID number (one query for a company's drivers); unknown ones are absent. */
export async function findPeopleForChecks(em: EntityManager, idCards: string[]) {
  const found = idCards.length ? await em.find(Person, { idCard: { $in: [...new Set(idCards)] } }) : [];
  return new Map(found.map((p) => [p.idCard, p]));
}

/** The restricted road segments among `ids` (bridges, tunnels, underpasses, narrow segments); unknown ids are absent. */
export async function roadRestrictionsOn(em: EntityManager, ids: string[]) {
  return em.find(RoadRestriction, { id: { $in: ids } });
}

export interface ArchivedApplicationView {
  serviceCode: string;
  caseNo: string;
  data: Record<string, unknown>;
  archivedAt: Date;
}

/**
 * The latest archived application per service: data submitted once, reused (首次一次提交、后期自动复用).
 * Raw SQL because PostgreSQL's `DISTINCT ON` does it in one index scan on (applicant_key, archived_at); an applicant
 * can have thousands of archived applications, so loading them all to pick one per service is not an option.
 */
export async function latestArchivedApplications(em: EntityManager, applicantKey: string): Promise<ArchivedApplicationView[]> {
  const rows = await em.execute<{ service_code: string; case_no: string; data: Record<string, unknown>; archived_at: Date | string }[]>(
    `select distinct on (service_code) service_code, case_no, data, archived_at from archived_application
     where applicant_key = ? order by service_code, archived_at desc`,
    [applicantKey],
  );
  return rows.map((r) => ({ serviceCode: r.service_code, caseNo: r.case_no, data: r.data, archivedAt: new Date(r.archived_at) }));
}
