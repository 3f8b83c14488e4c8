/**
 * The comparisons every automatic check is made of: a dated document valid through a day, an age within bounds, a
 * licence class against the vehicles it must cover, a scope that covers an activity, an owner that is the applicant,
 * records within the last year or the last scoring periods. The check types of the library (`./library.ts`) and the
 * 21 oversize checks (`domain/oversize/checks.ts`) both build on these, so a boundary is decided in one place.
 *
 * Pure and dependency-free, without `Date` or zod: the oversize engine imports it and must stay safe in Temporal's
 * workflow sandbox. Dates are 'YYYY-MM-DD' strings; a day a document is "valid until" is a day it is valid on.
 */
import { civilFromDays, daysFromCivil, formatCivil, parseCivilDate } from '../civil-date';
import { addYears, lastScoringPeriods, licenceCodes, licenceCovers, requiredLicence, withinLastYear, type LicenceCode, type RecordedVehicle, type ScoringPeriod } from '../driving-licence';
import { birthDateFromIdCard, isValidIdCardNumber } from '../identifiers';

// ---- Dated documents ----

/**
 * A dated document (licence, inspection, permit, insurance) against the last day it must be valid on:
 * - `none`: nothing on record (null, undefined or ''): the issuer is the government, so unknown means none;
 * - `not-a-date`: something on record that is not a date: a person reads the record;
 * - `expired`: valid until a day before `through`;
 * - `valid`: valid through `through` (exactly on it counts).
 */
export type Validity =
  | { state: 'none' }
  | { state: 'not-a-date'; recorded: string }
  | { state: 'expired'; validUntil: string; through: string }
  | { state: 'valid'; validUntil: string; through: string };

export function validThrough(validUntil: string | null | undefined, through: string): Validity {
  if (validUntil === null || validUntil === undefined || validUntil === '') return { state: 'none' };
  if (!parseCivilDate(validUntil)) return { state: 'not-a-date', recorded: String(validUntil) };
  return validUntil < through ? { state: 'expired', validUntil, through } : { state: 'valid', validUntil, through };
}

/** Asia/Shanghai: no daylight saving, so a fixed offset is exact. */
export const SHANGHAI_UTC_OFFSET_MINUTES = 480;

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The local civil date of a form value that says when: a date ('2026-03-11') as it is, an ISO 8601 instant with an
 * offset ('2026-03-11T04:00:00+08:00', '2026-03-10T20:00:00Z') as the date it is at `utcOffsetMinutes` (the issuing
 * authority's zone). `undefined` when the value is neither (a local time without an offset is ambiguous).
 */
export function localDateOf(value: unknown, utcOffsetMinutes = SHANGHAI_UTC_OFFSET_MINUTES): string | undefined {
  if (parseCivilDate(value)) return value as string;
  if (typeof value !== 'string') return undefined;
  const m = INSTANT_RE.exec(value);
  const day = m ? parseCivilDate(m[1]) : undefined;
  if (!m || !day) return undefined;
  const [h, mi, sec] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  const off = m[5]!;
  const [oh, om] = off === 'Z' ? [0, 0] : [Number(off.slice(1, 3)), Number(off.slice(4, 6))];
  if (h > 23 || mi > 59 || sec > 59 || oh > 14 || om > 59) return undefined;
  const offset = (off.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  const shift = Math.floor((h * 60 + mi - offset + utcOffsetMinutes) / 1440);
  return formatCivil(civilFromDays(daysFromCivil(day.y, day.m, day.d) + shift));
}

/**
 * The last day a document must be valid on: `today`, or the later day a form value names (the last travel day, read
 * at `utcOffsetMinutes`). A value that names no day leaves `today`.
 */
export function requiredThrough(today: string, until?: unknown, utcOffsetMinutes = SHANGHAI_UTC_OFFSET_MINUTES): string {
  const day = until === undefined ? undefined : localDateOf(until, utcOffsetMinutes);
  return day !== undefined && day > today ? day : today;
}

// ---- People ----

/**
 * Completed years (周岁) on `on`, from the birth date on record when it is a date, else from the ID number
 * (GB 11643-1999). `undefined` when neither gives one, or when `on` is before the birth: a person looks.
 */
export function ageFrom(person: { idCard?: string | null; birthDate?: string | null }, on: string): number | undefined {
  const birth = parseCivilDate(person.birthDate)
    ? person.birthDate!
    : typeof person.idCard === 'string' && isValidIdCardNumber(person.idCard)
      ? birthDateFromIdCard(person.idCard)
      : undefined;
  if (birth === undefined || !parseCivilDate(on)) return undefined;
  const [b, o] = [parseCivilDate(birth)!, parseCivilDate(on)!];
  const age = o.y - b.y - (o.m < b.m || (o.m === b.m && o.d < b.d) ? 1 : 0);
  return age < 0 ? undefined : age;
}

/** Whether `age` lies within `min`..`max` (both inclusive; either may be absent). */
export function withinBounds(age: number, bounds: { min?: number; max?: number }): boolean {
  return (bounds.min === undefined || age >= bounds.min) && (bounds.max === undefined || age <= bounds.max);
}

/** The bounds as a reviewer reads them: '25-60', '<= 60', '>= 18'. */
export function boundsText(bounds: { min?: number; max?: number }): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `${bounds.min}-${bounds.max}`;
  return bounds.max !== undefined ? `<= ${bounds.max}` : `>= ${bounds.min ?? 0}`;
}

// ---- Licences against vehicles ----

/**
 * A licence (or an endorsement) against each vehicle: the class each one needs (GA 802-2019 size category, 附件1) and
 * whether `held` covers it. A vehicle without a record, or whose category the record leaves open, is not covered: a
 * person looks.
 */
export interface VehicleNeed {
  plate: string;
  /** What the vehicle needs; absent when there is no vehicle record. */
  need?: ReturnType<typeof requiredLicence>;
  covered: boolean;
}

export function licenceAgainstVehicles(
  held: string | null | undefined,
  vehicles: { plate: string; record: RecordedVehicle | null | undefined }[],
): { ok: boolean; needs: VehicleNeed[] } {
  const needs = vehicles.map(({ plate, record }) => {
    const need = record ? requiredLicence(record) : undefined;
    return { plate, ...(need ? { need } : {}), covered: !!need?.known && licenceCovers(held, need.code) };
  });
  return { ok: needs.length > 0 && needs.every((n) => n.covered), needs };
}

/** Whether any class written on a licence covers `needed` (the held classes read as in `licenceCodes`). */
export function anyClassCovers(held: string | null | undefined, needed: LicenceCode): { held: LicenceCode[]; covers: boolean } {
  return { held: licenceCodes(held), covers: licenceCovers(held, needed) };
}

// ---- Registers ----

/** The first scope entry that is, or contains, one of `wanted` (a code such as 'bulky_cargo' or words such as '大件运输'). */
export function scopeCovers(scope: readonly string[] | null | undefined, wanted: readonly string[]): string | undefined {
  return (scope ?? []).find((s) => typeof s === 'string' && wanted.some((w) => w !== '' && s.includes(w)));
}

/** Whether a register key (credit code) is the applicant's: an exact match, as the register records it. */
export function ownedBy(ownerKey: string | null | undefined, applicantKey: string | null | undefined): boolean {
  return typeof ownerKey === 'string' && ownerKey !== '' && ownerKey === applicantKey;
}

/** Names compared as people and registers write them: surrounding and inner white space does not count. */
export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string | null | undefined) => (typeof s === 'string' ? s.replace(/\s+/g, '') : '');
  return norm(a) !== '' && norm(a) === norm(b);
}

// ---- Driving records ----

/**
 * The dated records (violations) within the last `years` up to `today`. A date that is not a date, or lies after
 * today, counts: a faulty record is for a person to read, never skipped. The boundary day counts (read against the
 * driver, 校车安全管理条例 art. 23(4)).
 */
export function recordsWithinYears<T extends { on: unknown }>(records: readonly T[] | null | undefined, today: string, years = 1): T[] {
  return (records ?? []).filter((r) => !parseCivilDate(r.on) || (years === 1 ? withinLastYear(r.on as string, today) : (r.on as string) >= addYears(today, -years)));
}

/**
 * The full-point dates (记满分) within the last `count` scoring periods (道路交通安全违法行为记分管理办法 art. 3), with
 * the periods. `periods` is empty when the first-issue date is missing or after today: the periods cannot be counted.
 */
export function fullPointsInPeriods(
  firstIssuedOn: string | null | undefined,
  fullPointDates: readonly unknown[] | null | undefined,
  today: string,
  count = 3,
): { periods: ScoringPeriod[]; hits: unknown[] } {
  if (!firstIssuedOn) return { periods: [], hits: [] };
  const periods = lastScoringPeriods(firstIssuedOn, today, count);
  if (periods.length === 0) return { periods, hits: [] };
  const since = periods[0]!.from;
  return { periods, hits: (fullPointDates ?? []).filter((d) => !parseCivilDate(d) || (d as string) >= since) };
}
