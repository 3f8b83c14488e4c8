/**
 * The records a configured check compares the form with, as plain data: what the traffic police, the
 * market-regulation register and the insurers (through the company or school record) hold. The activity loads them
 * through infra/repositories/reference-data.ts; the checks only read them. `null` and absent fields mean "none on
 * record".
 */

/** A finding of one rule, as the workbench renders it ({ check, ok, detail }): what was compared, for a person. */
export interface Finding {
  check: string;
  /** The finding's name in Chinese, when the step's definition gives the check a `titleZh`. */
  checkZh?: string;
  ok: boolean;
  detail: string;
}

export interface PersonRecord {
  idCard: string;
  name: string;
  /** 'YYYY-MM-DD'; when absent, the birth date in the ID number is used. */
  birthDate?: string | null;
  licenceClass?: string | null;
  licenceValidUntil?: string | null;
  drivingYears?: number | null;
  freightQualificationValidUntil?: string | null;
  licenceFirstIssuedOn?: string | null;
  schoolBusEndorsement?: string | null;
  fullPointDates?: unknown[] | null;
  seriousViolations?: { on: unknown; kind: string }[] | null;
  seriousAccident?: boolean | null;
  drinkDriving?: boolean | null;
  criminalRecord?: boolean | null;
  healthDeclarationValidUntil?: string | null;
}

export interface VehicleRecord {
  plate: string;
  /** The owner's register key (credit code). */
  ownerKey: string;
  configuration: string;
  totalMassKg: number;
  axles?: number | null;
  seats?: number | null;
  lengthMm?: number | null;
  drivingLicenceValidUntil?: string | null;
  inspectionValidUntil?: string | null;
  roadTransportCertValidUntil?: string | null;
  meetsSchoolBusStandard?: boolean | null;
}

export interface CompanyRecord {
  creditCode: string;
  name: string;
  businessScope?: string[] | null;
  businessLicenceStatus?: string | null;
  operatingPermitNo?: string | null;
  operatingPermitValidUntil?: string | null;
  operatingScope?: string[] | null;
  seriousViolation?: boolean | null;
  liabilityInsuranceValidUntil?: string | null;
}

/** Carrier-liability insurance as the holder's record (a company's or a school's) carries it. */
export interface InsuranceRecord {
  holder: string;
  validUntil: string | null;
  /** The insured amount per seat or per case, in yuan, when the record holds it (today's records do not). */
  coverYuan?: number | null;
}

/** Every record the configured checks of one step read, by key; a key absent from a map is not on record. */
export interface CheckRecords {
  people: Map<string, PersonRecord>;
  vehicles: Map<string, VehicleRecord>;
  companies: Map<string, CompanyRecord>;
  insurance: Map<string, InsuranceRecord>;
  /** The registered name of each vehicle owner that is not the applicant (a report names owners, never their codes). */
  ownerNames: Map<string, string>;
}

export function emptyRecords(): CheckRecords {
  return { people: new Map(), vehicles: new Map(), companies: new Map(), insurance: new Map(), ownerNames: new Map() };
}

/** What the activity must load for a set of checks on one form (deduplicated keys). */
export interface RecordRequest {
  people: string[];
  vehicles: string[];
  companies: string[];
  insurance: string[];
}
