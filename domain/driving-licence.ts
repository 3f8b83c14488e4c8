/**
 * Driving-licence classes (准驾车型) against the vehicles they cover, and the scoring periods (记分周期) of a licence:
 * the rules the school-bus and freight checks apply to the traffic police's records. Pure and dependency-free.
 *
 * Sources:
 * - 机动车驾驶证申领和使用规定 (公安部令第162号), 附件1 准驾车型及代号: what each class covers, and the other classes it
 *   includes ("准予驾驶的其他准驾车型").
 * - GA 802-2019 道路交通管理 机动车类型, 表1 规格分类: when a bus is large, medium or small and a truck heavy, medium or
 *   light (the vehicle categories 附件1 names).
 * - 道路交通安全违法行为记分管理办法 (公安部令第163号) art. 3: a scoring period is 12 months, counted on from the day the
 *   licence was first issued.
 */
import { civilFromDays, daysFromCivil, daysInMonth, formatCivil, parseCivilDate } from './civil-date';

export const LICENCE_CODES = ['A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'D', 'E', 'F', 'M', 'N', 'P'] as const;
export type LicenceCode = (typeof LICENCE_CODES)[number];

/** 附件1's "准予驾驶的其他准驾车型": the classes a licence includes besides its own. */
const INCLUDES: Record<LicenceCode, readonly LicenceCode[]> = {
  A1: ['A3', 'B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'M'],
  A2: ['B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'C6', 'M'],
  A3: ['C1', 'C2', 'C3', 'C4'],
  B1: ['C1', 'C2', 'C3', 'C4', 'M'],
  B2: ['C1', 'C2', 'C3', 'C4', 'M'],
  C1: ['C2', 'C3', 'C4'],
  C2: [],
  C3: ['C4'],
  C4: [],
  C5: [],
  C6: [],
  D: ['E', 'F'],
  E: ['F'],
  F: [],
  M: [],
  N: [],
  P: [],
};

/**
 * The classes written on a licence ("A1", "A2D", "B2, E"); unknown text yields no class rather than an error, so a bad
 * record becomes a failing finding.
 */
export function licenceCodes(text: string | null | undefined): LicenceCode[] {
  if (typeof text !== 'string') return [];
  const found = text.toUpperCase().match(/A[1-3]|B[12]|C[1-6]|[DEFMNP]/g) ?? [];
  return [...new Set(found)] as LicenceCode[];
}

/** Whether a licence with `held` classes may drive a vehicle that needs `needed` (附件1, with the included classes). */
export function licenceCovers(held: string | null | undefined, needed: LicenceCode): boolean {
  return licenceCodes(held).some((c) => c === needed || INCLUDES[c].includes(needed));
}

/** A vehicle as the registration record describes it. */
export interface RecordedVehicle {
  /** 'truck' (one unit) or 'combination' (汽车列车: tractor with trailer). */
  configuration: string;
  totalMassKg: number;
  /** Approved number of occupants (核定载人数); recorded for passenger vehicles only. */
  seats?: number | null;
  lengthMm?: number | null;
}

export type RequiredLicence =
  | { known: true; code: LicenceCode; category: string }
  | { known: false; reason: string };

/**
 * The licence class a vehicle needs, from its size category (GA 802-2019 表1) and 附件1:
 * - a combination (汽车列车) of total mass 4,500 kg or more: A2 (重型牵引挂车 covers "总质量大于4500kg", C6 only "小于
 *   (不包含等于) 4500kg": exactly 4,500 kg falls between them, so the stricter A2 is required); lighter: C6;
 * - a passenger vehicle with 20 or more occupants or 6 m or longer: 大型载客汽车, A1; 10-19 occupants and shorter: 中型
 *   载客汽车, B1; up to 9 and shorter: 小型载客汽车, C1;
 * - a goods vehicle of 12,000 kg or more: 重型载货汽车; 4,500 kg or more, or 6 m or longer: 中型载货汽车; both B2;
 *   lighter and shorter: 轻型/微型载货汽车, C1.
 * A length that decides the category but is not recorded gives `known: false`: a person looks.
 */
export function requiredLicence(v: RecordedVehicle): RequiredLicence {
  const length = v.lengthMm ?? undefined;
  if (v.configuration === 'combination') {
    return v.totalMassKg >= 4500
      ? { known: true, code: 'A2', category: '重型、中型牵引挂车列车' }
      : { known: true, code: 'C6', category: '轻型牵引挂车列车' };
  }
  if (v.seats != null) {
    if (v.seats >= 20 || (length !== undefined && length >= 6000)) return { known: true, code: 'A1', category: '大型载客汽车' };
    if (length === undefined) return { known: false, reason: `${v.seats} occupants and no recorded length: large (6 m or longer) or not is unknown` };
    return v.seats >= 10 ? { known: true, code: 'B1', category: '中型载客汽车' } : { known: true, code: 'C1', category: '小型载客汽车' };
  }
  if (v.totalMassKg >= 12000) return { known: true, code: 'B2', category: '重型载货汽车' };
  if (v.totalMassKg >= 4500 || (length !== undefined && length >= 6000)) return { known: true, code: 'B2', category: '中型载货汽车' };
  if (length === undefined) return { known: false, reason: `${v.totalMassKg} kg and no recorded length: medium (6 m or longer) or light is unknown` };
  return { known: true, code: 'C1', category: '轻型、微型载货汽车' };
}

/** `date` moved by whole years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const c = parseCivilDate(date);
  if (!c) throw new RangeError(`not a date: ${date}`);
  const y = c.y + years;
  return formatCivil({ y, m: c.m, d: Math.min(c.d, daysInMonth(y, c.m)) });
}

export interface ScoringPeriod {
  /** First day of the period (inclusive). */
  from: string;
  /** Last day of the period (inclusive). */
  to: string;
}

/**
 * The last `count` consecutive scoring periods up to and including the one `today` falls in, oldest first ("最近连续三个
 * 记分周期", 校车安全管理条例 art. 23(2)). Fewer when the licence is younger; none when it was first issued after today.
 */
export function lastScoringPeriods(firstIssuedOn: string, today: string, count = 3): ScoringPeriod[] {
  if (!parseCivilDate(firstIssuedOn) || firstIssuedOn > today) return [];
  let current = 0;
  while (addYears(firstIssuedOn, current + 1) <= today) current++;
  const periods: ScoringPeriod[] = [];
  for (let k = Math.max(0, current - count + 1); k <= current; k++) {
    const next = parseCivilDate(addYears(firstIssuedOn, k + 1))!;
    periods.push({ from: addYears(firstIssuedOn, k), to: formatCivil(civilFromDays(daysFromCivil(next.y, next.m, next.d) - 1)) });
  }
  return periods;
}

/**
 * Whether `date` lies within the last year up to `today` ("最近1年内", art. 23(4)). The day one year before today still
 * counts: for children's safety the doubtful boundary day is read against the driver. A date after today (a faulty
 * record) counts too, so that a person looks at it.
 */
export function withinLastYear(date: string, today: string): boolean {
  return date >= addYears(today, -1);
}
