/**
 * The official working-day calendar (工作日) used for statutory deadlines.
 *
 * Pure, with one pure dependency (tyme4ts, for the lunar festivals): it must run inside Temporal's deterministic
 * workflow sandbox, so it uses no Node builtins, never reads the clock (`Date.now()`, `new Date()`), does no Intl / time-zone lookups and no I/O.
 * Loading the yearly JSON files from disk happens elsewhere; this module only receives the parsed data.
 *
 * Time zone: Asia/Shanghai is a fixed UTC+08:00 offset (China has had no DST since 1991), so every conversion is
 * plain arithmetic on epoch milliseconds with a +8h offset. Calendar dates are handled as "day numbers" (days since
 * 1970-01-01) with proleptic-Gregorian civil-date arithmetic (H. Hinnant's algorithms), not with `Date` objects.
 *
 * Rules (行政许可法 art. 82, see docs DOMAIN.md "Working days and deadlines"):
 * - a holiday (法定节假日 incl. the bridging days of the State Council notice) is not a working day;
 * - a weekend make-up day (调休上班) is a working day;
 * - otherwise Monday to Friday are working days;
 * - the day of acceptance is not counted: N working days end at 23:59:59 (+08:00) of the Nth working day after it;
 * - a year with no official data is never a silent guess: either refused (`strict`) or computed and flagged
 *   `provisional`. The provisional rule is a constructor option (`ProvisionalRule`):
 *   - 'statutory-holidays' (default): Mon–Fri minus the days that 全国年节及纪念日放假办法 art. 2 itself fixes (see
 *     `statutoryHolidays`). Those days are off in every State Council notice, so they are certainly off; what only
 *     the notice fixes (bridging days, the 补假 for a holiday on a weekend under art. 6, and the weekend make-up
 *     working days, 调休上班) cannot be known before it is published, so the result is still provisional and may
 *     differ from the official one by those days;
 *   - 'weekdays': Mon–Fri only, the rule before statutory holidays were modelled. Kept so that a running case whose
 *     provisional deadlines were computed with it replays identically (the workflow selects it behind `patched()`).
 */

/*
 * The only non-relative import: the Chinese lunisolar calendar and the solar terms are astronomy, not something to
 * hand-write. tyme4ts (6tail, MIT; the successor of lunar-typescript by the same author) is chosen because it has no
 * dependencies, is pure computation (no Node builtins, no clock, no Intl, no I/O: checked by a test that scans its
 * bundle), so it runs inside Temporal's workflow sandbox, and it computes dates for any year (no lookup table ending
 * in 2050 or 2100). It is pinned exactly in package.json: a change of version could move a computed date and so a
 * running case's deadline; upgrade it only together with the table test in test/unit/calendar.test.ts.
 */
import { LunarDay, SolarTerm } from 'tyme4ts';
import { civilFromDays, daysFromCivil, formatCivil, pad, parseCivilDate } from './civil-date';

/** One year of official calendar data; also the format of `data/calendar/<year>.json`. Dates are 'YYYY-MM-DD'. */

export interface CalendarYearData {
  year: number;
  source: string;
  /** Holidays (days off), each range inclusive. */
  holidays: { name: string; from: string; to: string }[];
  /** Weekend days that are working days (调休上班). */
  makeupWorkdays: string[];
}

/** A computed deadline: 23:59:59.000 (+08:00) of a day. */
export interface Deadline {
  /** Epoch milliseconds of the deadline instant. */
  deadlineMs: number;
  /** ISO 8601 with the +08:00 offset, seconds precision, e.g. '2026-12-03T23:59:59+08:00'. */
  deadline: string;
  /** The deadline's calendar day in Asia/Shanghai, 'YYYY-MM-DD'. */
  deadlineDate: string;
  /** True when at least one day counted fell in a year without official data (computed by the provisional rule). */
  provisional: boolean;
}

/** Invalid calendar data (bad date, duplicate year, reversed range, make-up day that is also a holiday, ...). */
export class CalendarDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarDataError';
  }
}

/** A computation needed a year for which no official calendar is loaded, and `strict` was requested. */
export class CalendarYearMissingError extends Error {
  readonly year: number;
  constructor(year: number) {
    super(`No official working-day calendar is loaded for ${year}; the deadline cannot be computed strictly.`);
    this.name = 'CalendarYearMissingError';
    this.year = year;
  }
}

const MS_PER_SECOND = 1000;
const MS_PER_DAY = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** 23:59:59.000 as an offset from local midnight. */
const END_OF_DAY_MS = MS_PER_DAY - MS_PER_SECOND;
/** Largest working-day count accepted by `addWorkingDays` / `extendDeadline` (about 14 years). */
export const MAX_WORKING_DAYS = 3660;
/** Hard ceiling on days scanned by any loop here (runaway guard, e.g. data declaring a whole year off). */
const MAX_SCAN_DAYS = 40_000;


// ---------------------------------------------------------------------------------------------------------------
// Civil-date arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian).
// ---------------------------------------------------------------------------------------------------------------

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function formatDay(day: number): string {
  const { y, m, d } = civilFromDays(day);
  if (y < 0 || y > 9999) throw new RangeError(`Year ${y} is outside the supported range 0000..9999`);
  return formatCivil({ y, m, d });
}

/** Parses a strict 'YYYY-MM-DD' real calendar date; undefined if malformed or not a real date. */
function tryParseDate(date: unknown): { day: number; year: number } | undefined {
  const c = parseCivilDate(date);
  return c && { day: daysFromCivil(c.y, c.m, c.d), year: c.y };
}

function parseDateOrThrow(date: string, what = 'date'): { day: number; year: number } {
  const parsed = tryParseDate(date);
  if (!parsed) throw new RangeError(`Invalid ${what} '${String(date)}': expected a real date as 'YYYY-MM-DD'`);
  return parsed;
}

function assertFiniteMs(ms: number, what: string): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`${what} must be a finite epoch-ms number`);
}

/** Day number (in +08:00) of an instant. */
function shanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / MS_PER_DAY);
}

function endOfDayMs(day: number): number {
  return day * MS_PER_DAY + END_OF_DAY_MS - SHANGHAI_OFFSET_MS;
}

// ---------------------------------------------------------------------------------------------------------------
// Exported helpers
// ---------------------------------------------------------------------------------------------------------------

/** The calendar date ('YYYY-MM-DD') in Asia/Shanghai (+08:00) of an epoch-ms instant. */
export function shanghaiDate(ms: number): string {
  assertFiniteMs(ms, 'ms');
  return formatDay(shanghaiDay(ms));
}

/** ISO 8601 with the +08:00 offset, seconds precision (milliseconds truncated), e.g. '2026-12-03T23:59:59+08:00'. */
export function formatShanghai(ms: number): string {
  assertFiniteMs(ms, 'ms');
  const day = shanghaiDay(ms);
  const msOfDay = ms + SHANGHAI_OFFSET_MS - day * MS_PER_DAY; // 0 .. 86_399_999
  const totalSeconds = Math.floor(msOfDay / MS_PER_SECOND);
  const hh = Math.floor(totalSeconds / 3600);
  const mm = Math.floor((totalSeconds % 3600) / 60);
  const ss = totalSeconds % 60;
  return `${formatDay(day)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}+08:00`;
}

/** Epoch ms of 23:59:59.000 +08:00 on the given 'YYYY-MM-DD' date. Throws RangeError on a malformed date. */
export function endOfShanghaiDay(date: string): number {
  return endOfDayMs(parseDateOrThrow(date).day);
}

// ---------------------------------------------------------------------------------------------------------------
// Statutory holidays (全国年节及纪念日放假办法 art. 2), for years without official data
// ---------------------------------------------------------------------------------------------------------------

/** How days in a year without official data are counted; see the module comment. */
export type ProvisionalRule = 'weekdays' | 'statutory-holidays';

export const PROVISIONAL_RULES: readonly ProvisionalRule[] = ['weekdays', 'statutory-holidays'];

/** The first year of the art. 2 text modelled here (国务院令第795号, effective 2025-01-01). */
export const STATUTORY_RULE_FROM_YEAR = 2025;

/**
 * The days off that 全国年节及纪念日放假办法 art. 2 fixes for every citizen in a year, as revised by 国务院令第795号
 * (2024-11-10, effective 2025-01-01), in the format of `CalendarYearData.holidays`:
 * 元旦 1 day (1 January); 春节 4 days (农历除夕 and 正月初一 to 初三); 清明节 1 day (the day of the 清明 solar term);
 * 劳动节 2 days (1 and 2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五); 国庆节 3 days (1 to 3 October).
 * 除夕 is the day before 正月初一, i.e. the last day of the twelfth lunar month, the 29th or the 30th. Lunar dates and
 * the solar term are computed in Beijing time by tyme4ts. Two festivals can fall on the same day (中秋节 on 1–3 October
 * in 2028 and 2031): both ranges are listed, the day is simply off.
 * Years before 2025 had another text (a 3-day Spring Festival from 初一, a 1-day Labour Day); they are official data
 * or history, never provisional, so this returns [] for them and they count Mon–Fri.
 */
export function statutoryHolidays(year: number): { name: string; from: string; to: string }[] {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 0 || year > 9999) {
    throw new RangeError(`year must be an integer between 0 and 9999, got ${String(year)}`);
  }
  if (year < STATUTORY_RULE_FROM_YEAR) return [];
  const ymd = (d: { getYear(): number; getMonth(): number; getDay(): number }): string =>
    formatCivil({ y: d.getYear(), m: d.getMonth(), d: d.getDay() });
  const newYear = LunarDay.fromYmd(year, 1, 1).getSolarDay(); // 正月初一 of the lunar year that starts in this year
  const on = (name: string, date: string) => ({ name, from: date, to: date });
  return [
    on('元旦', `${pad(year, 4)}-01-01`),
    { name: '春节', from: ymd(newYear.next(-1)), to: ymd(newYear.next(2)) },
    on('清明节', ymd(SolarTerm.fromName(year, '清明').getSolarDay())),
    { name: '劳动节', from: `${pad(year, 4)}-05-01`, to: `${pad(year, 4)}-05-02` },
    on('端午节', ymd(LunarDay.fromYmd(year, 5, 5).getSolarDay())),
    on('中秋节', ymd(LunarDay.fromYmd(year, 8, 15).getSolarDay())),
    { name: '国庆节', from: `${pad(year, 4)}-10-01`, to: `${pad(year, 4)}-10-03` },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------------------------

interface YearIndex {
  /** day number -> holiday name */
  holidays: Map<number, string>;
  makeup: Set<number>;
}

/**
 * The official working-day calendar built from one `CalendarYearData` per year. Immutable once constructed;
 * loading a new year means constructing a new calendar with more data (no code change).
 */
export class WorkingDayCalendar {
  private readonly byYear: Map<number, YearIndex>;
  /** How a year without official data is counted. */
  readonly provisionalRule: ProvisionalRule;
  /** Statutory holidays of years without data, computed once per year on first use (the lunar computation). */
  private readonly provisionalByYear = new Map<number, Set<number>>();

  /**
   * Validates the data and throws `CalendarDataError` with a precise message if anything is wrong.
   * `provisional` selects the rule for years without data (default 'statutory-holidays'); a workflow that computed
   * deadlines with the earlier weekdays-only rule passes 'weekdays' on replay.
   */
  constructor(data: readonly CalendarYearData[], opts?: { provisional?: ProvisionalRule }) {
    if (!Array.isArray(data)) throw new CalendarDataError('Calendar data must be an array of year objects');
    const rule = opts?.provisional ?? 'statutory-holidays';
    if (!PROVISIONAL_RULES.includes(rule)) {
      throw new RangeError(`provisional must be one of ${PROVISIONAL_RULES.join(', ')}, got ${String(rule)}`);
    }
    this.provisionalRule = rule;
    this.byYear = new Map();
    data.forEach((yearData, i) => {
      const where = `calendar data [${i}]`;
      if (yearData === null || typeof yearData !== 'object') throw new CalendarDataError(`${where}: not an object`);
      const { year, source, holidays, makeupWorkdays } = yearData;
      if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 9999) {
        throw new CalendarDataError(`${where}: year must be an integer between 1900 and 9999, got ${String(year)}`);
      }
      const label = `calendar ${year}`;
      if (this.byYear.has(year)) throw new CalendarDataError(`${label}: year ${year} appears more than once`);
      if (typeof source !== 'string' || source.trim() === '') {
        throw new CalendarDataError(`${label}: source must be a non-empty string`);
      }
      if (!Array.isArray(holidays)) throw new CalendarDataError(`${label}: holidays must be an array`);
      if (!Array.isArray(makeupWorkdays)) throw new CalendarDataError(`${label}: makeupWorkdays must be an array`);

      const parseInYear = (date: unknown, what: string): number => {
        const parsed = tryParseDate(date);
        if (!parsed) throw new CalendarDataError(`${label}: ${what} '${String(date)}' is not a real 'YYYY-MM-DD' date`);
        if (parsed.year !== year) throw new CalendarDataError(`${label}: ${what} '${String(date)}' is not in ${year}`);
        return parsed.day;
      };

      const index: YearIndex = { holidays: new Map(), makeup: new Set() };
      holidays.forEach((h, j) => {
        const what = `holiday [${j}]`;
        if (h === null || typeof h !== 'object') throw new CalendarDataError(`${label}: ${what} is not an object`);
        if (typeof h.name !== 'string' || h.name.trim() === '') {
          throw new CalendarDataError(`${label}: ${what} needs a non-empty name`);
        }
        const from = parseInYear(h.from, `${what} (${h.name}) from`);
        const to = parseInYear(h.to, `${what} (${h.name}) to`);
        if (from > to) throw new CalendarDataError(`${label}: ${what} (${h.name}) from ${h.from} is after to ${h.to}`);
        for (let day = from; day <= to; day++) {
          const existing = index.holidays.get(day);
          if (existing !== undefined) {
            throw new CalendarDataError(`${label}: ${formatDay(day)} is in two holidays (${existing}, ${h.name})`);
          }
          index.holidays.set(day, h.name);
        }
      });
      makeupWorkdays.forEach((date, j) => {
        const day = parseInYear(date, `make-up workday [${j}]`);
        if (index.makeup.has(day)) throw new CalendarDataError(`${label}: make-up workday ${date} is listed twice`);
        const holiday = index.holidays.get(day);
        if (holiday !== undefined) {
          throw new CalendarDataError(`${label}: ${date} is both a make-up workday and a holiday (${holiday})`);
        }
        index.makeup.add(day);
      });
      this.byYear.set(year, index);
    });
  }

  /** Years with official data, ascending. */
  years(): number[] {
    return [...this.byYear.keys()].sort((a, b) => a - b);
  }

  hasYear(year: number): boolean {
    return this.byYear.has(year);
  }

  /**
   * Whether a 'YYYY-MM-DD' date (Asia/Shanghai) is a working day. A year without data is computed by the provisional
   * rule (Mon–Fri minus the statutory holidays, or Mon–Fri only) with `provisional: true`. Throws RangeError on a
   * malformed date.
   */
  isWorkingDay(date: string): { working: boolean; provisional: boolean } {
    return this.dayStatus(parseDateOrThrow(date).day);
  }

  /**
   * The holiday name if the date is an official holiday, otherwise undefined (also for years without data, whose
   * statutory holidays `statutoryHolidays(year)` lists).
   */
  holidayName(date: string): string | undefined {
    const { day, year } = parseDateOrThrow(date);
    return this.byYear.get(year)?.holidays.get(day);
  }

  /**
   * Deadline of a period of `n` working days starting at the instant `fromMs` (e.g. the acceptance time).
   * The day of `fromMs` (+08:00) is not counted; the result is 23:59:59.000 +08:00 of the nth working day after it.
   * n = 0 gives the end of the from-day itself (no day is scanned, so it is never provisional).
   * Days in a year without data: `strict` throws `CalendarYearMissingError`, otherwise the provisional rule applies
   * and the deadline is `provisional`.
   * Throws RangeError unless n is an integer in 0..MAX_WORKING_DAYS.
   */
  addWorkingDays(fromMs: number, n: number, opts?: { strict?: boolean }): Deadline {
    assertFiniteMs(fromMs, 'fromMs');
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new RangeError(`n must be a non-negative integer number of working days, got ${String(n)}`);
    }
    if (n > MAX_WORKING_DAYS) throw new RangeError(`n = ${n} exceeds the maximum of ${MAX_WORKING_DAYS} working days`);
    const strict = opts?.strict === true;
    const startDay = shanghaiDay(fromMs);
    let day = startDay;
    let counted = 0;
    let provisional = false;
    while (counted < n) {
      day++;
      if (day - startDay > MAX_SCAN_DAYS) {
        throw new RangeError(`No ${n} working days found within ${MAX_SCAN_DAYS} days; check the calendar data`);
      }
      const status = this.dayStatus(day, strict);
      if (status.provisional) provisional = true;
      if (status.working) counted++;
    }
    return makeDeadline(day, provisional);
  }

  /**
   * Number of working days d with fromDate < d <= toDate (0 if toDate <= fromDate). Used to move a deadline by the
   * time a case was paused (补正). `provisional` if a counted-over day is in a year without data; with `strict`,
   * such a day throws `CalendarYearMissingError` instead.
   */
  workingDaysAfter(fromDate: string, toDate: string, opts?: { strict?: boolean }): { days: number; provisional: boolean } {
    const from = parseDateOrThrow(fromDate, 'fromDate').day;
    const to = parseDateOrThrow(toDate, 'toDate').day;
    if (to - from > MAX_SCAN_DAYS) throw new RangeError(`Range ${fromDate}..${toDate} is longer than ${MAX_SCAN_DAYS} days`);
    const strict = opts?.strict === true;
    let days = 0;
    let provisional = false;
    for (let day = from + 1; day <= to; day++) {
      const status = this.dayStatus(day, strict);
      if (status.provisional) provisional = true;
      if (status.working) days++;
    }
    return { days, provisional };
  }

  /**
   * The deadline moved later by `workingDays` working days (e.g. the paused time of a supplement). The result is
   * again 23:59:59.000 +08:00, of the nth working day after the deadline's day; 0 normalises to the end of that day.
   */
  extendDeadline(deadlineMs: number, workingDays: number, opts?: { strict?: boolean }): Deadline {
    assertFiniteMs(deadlineMs, 'deadlineMs');
    return this.addWorkingDays(deadlineMs, workingDays, opts);
  }

  private dayStatus(day: number, strict = false): { working: boolean; provisional: boolean } {
    const { y: year } = civilFromDays(day);
    const index = this.byYear.get(year);
    const weekday = weekdayOf(day);
    const weekdayRule = weekday >= 1 && weekday <= 5;
    if (!index) {
      if (strict) throw new CalendarYearMissingError(year);
      if (this.provisionalRule === 'weekdays') return { working: weekdayRule, provisional: true };
      return { working: weekdayRule && !this.statutoryDaysOff(year).has(day), provisional: true };
    }
    if (index.holidays.has(day)) return { working: false, provisional: false };
    if (index.makeup.has(day)) return { working: true, provisional: false };
    return { working: weekdayRule, provisional: false };
  }

  private statutoryDaysOff(year: number): Set<number> {
    let days = this.provisionalByYear.get(year);
    if (!days) {
      days = new Set();
      for (const h of statutoryHolidays(year)) {
        for (let day = parseDateOrThrow(h.from).day; day <= parseDateOrThrow(h.to).day; day++) days.add(day);
      }
      this.provisionalByYear.set(year, days);
    }
    return days;
  }
}

function makeDeadline(day: number, provisional: boolean): Deadline {
  const deadlineMs = endOfDayMs(day);
  return { deadlineMs, deadline: formatShanghai(deadlineMs), deadlineDate: formatDay(day), provisional };
}
