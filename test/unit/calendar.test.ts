import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalendarDataError,
  type CalendarYearData,
  CalendarYearMissingError,
  WorkingDayCalendar,
  endOfShanghaiDay,
  formatShanghai,
  shanghaiDate,
  statutoryHolidays,
} from '../../domain/calendar';
import { LunarDay, SolarDay, SolarTerm } from 'tyme4ts';
import data2025 from '../../data/calendar/2025.json';
import data2026 from '../../data/calendar/2026.json';

const cal = new WorkingDayCalendar([data2025, data2026]);
/** The earlier provisional rule (Mon–Fri only), kept for running cases that computed deadlines with it. */
const weekdaysCal = new WorkingDayCalendar([data2025, data2026], { provisional: 'weekdays' });
/** An instant given in Shanghai wall-clock time. */
const sh = (isoLocal: string): number => Date.parse(`${isoLocal}+08:00`);
const working = (date: string): boolean => cal.isWorkingDay(date).working;

describe('calendar data files', () => {
  it('hold exactly the official table of DOMAIN.md', () => {
    expect(cal.years()).toEqual([2025, 2026]);
    expect(data2026.holidays.map((h) => [h.name, h.from, h.to])).toEqual([
      ['元旦', '2026-01-01', '2026-01-03'],
      ['春节', '2026-02-15', '2026-02-23'],
      ['清明节', '2026-04-04', '2026-04-06'],
      ['劳动节', '2026-05-01', '2026-05-05'],
      ['端午节', '2026-06-19', '2026-06-21'],
      ['中秋节', '2026-09-25', '2026-09-27'],
      ['国庆节', '2026-10-01', '2026-10-07'],
    ]);
    expect(data2026.makeupWorkdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(data2025.holidays.map((h) => [h.from, h.to])).toEqual([
      ['2025-01-01', '2025-01-01'],
      ['2025-01-28', '2025-02-04'],
      ['2025-04-04', '2025-04-06'],
      ['2025-05-01', '2025-05-05'],
      ['2025-05-31', '2025-06-02'],
      ['2025-10-01', '2025-10-08'],
    ]);
    expect(data2025.makeupWorkdays).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
    for (const d of [data2025, data2026]) expect(d.source).toBe('State Council General Office notice (国办发明电)');
  });

  it.each(['calendar.ts', 'civil-date.ts'])('domain/%s is sandbox-safe: only relative imports (and tyme4ts), no clock, no randomness, no Intl', (file) => {
    const src = readFileSync(join(__dirname, '../../domain', file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '') // block comments mention the forbidden calls on purpose
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(/^\s*import\s[^;]*from\s+'([^']+)'/gm)) expect(m[1]).toMatch(/^(\.\/|tyme4ts$)/);
    expect(src).not.toMatch(/require\(/);
    expect(src).not.toMatch(/Date\.now|new Date\(\s*\)|Math\.random|Intl\./);
  });

  it('tyme4ts, the one library domain/ imports, is exactly pinned, has no dependencies and its bundles are sandbox-safe', () => {
    const root = join(__dirname, '../..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.tyme4ts).toMatch(/^\d+\.\d+\.\d+$/); // exact: a new version could move a computed date
    const lib = JSON.parse(readFileSync(join(root, 'node_modules/tyme4ts/package.json'), 'utf8')) as { version: string; dependencies?: object };
    expect(lib.version).toBe(pkg.dependencies.tyme4ts);
    expect(lib.dependencies ?? {}).toEqual({});
    for (const bundle of ['index.cjs', 'index.mjs']) {
      const src = readFileSync(join(root, 'node_modules/tyme4ts/dist/lib', bundle), 'utf8');
      expect(src.length).toBeGreaterThan(100_000); // the real bundle, not a stub
      expect(src).not.toMatch(/require\(|Date\.now|new Date\(|Math\.random|Intl\.|process\.|globalThis|toLocale/);
    }
  });
});

describe('isWorkingDay', () => {
  it('Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 are make-up working days', () => {
    for (let d = 15; d <= 23; d++) expect(cal.isWorkingDay(`2026-02-${d}`)).toEqual({ working: false, provisional: false });
    expect(cal.isWorkingDay('2026-02-14')).toEqual({ working: true, provisional: false }); // Saturday
    expect(cal.isWorkingDay('2026-02-28')).toEqual({ working: true, provisional: false }); // Saturday
    expect(working('2026-02-13')).toBe(true); // Friday
    expect(working('2026-02-24')).toBe(true); // Tuesday after the holiday
    expect(working('2026-03-01')).toBe(false); // ordinary Sunday
    expect(cal.holidayName('2026-02-17')).toBe('春节');
    expect(cal.holidayName('2026-02-24')).toBeUndefined();
  });

  it('National Day 2026: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 are working days', () => {
    for (let d = 1; d <= 7; d++) expect(working(`2026-10-0${d}`)).toBe(false);
    expect(working('2026-09-20')).toBe(true); // Sunday make-up
    expect(working('2026-10-10')).toBe(true); // Saturday make-up
    expect(working('2026-10-11')).toBe(false); // ordinary Sunday
    expect(working('2026-10-08')).toBe(true);
    expect(working('2026-09-25')).toBe(false); // Mid-Autumn (Friday)
  });

  it('2025: Sunday 01-26 is a make-up day, 10-08 is still National Day, Saturday 10-11 works', () => {
    expect(working('2025-01-26')).toBe(true);
    expect(working('2025-01-01')).toBe(false);
    expect(working('2025-10-08')).toBe(false);
    expect(working('2025-10-11')).toBe(true);
  });

  it("a year without data, on the 'weekdays' rule, uses Mon–Fri and is provisional", () => {
    expect(weekdaysCal.provisionalRule).toBe('weekdays');
    expect(weekdaysCal.isWorkingDay('2027-01-01')).toEqual({ working: true, provisional: true }); // a Friday
    expect(weekdaysCal.isWorkingDay('2027-01-02')).toEqual({ working: false, provisional: true }); // a Saturday
    expect(cal.hasYear(2027)).toBe(false);
    expect(cal.hasYear(2026)).toBe(true);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-2-3')).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('gives the exact ISO deadline: Thu 2026-11-26 + 5 => Thu 2026-12-03 23:59:59 +08:00', () => {
    // 11-27 Fri (1), 11-30 Mon (2), 12-01 (3), 12-02 (4), 12-03 (5)
    expect(cal.addWorkingDays(sh('2026-11-26T10:00:00'), 5)).toEqual({
      deadlineMs: Date.parse('2026-12-03T23:59:59+08:00'),
      deadline: '2026-12-03T23:59:59+08:00',
      deadlineDate: '2026-12-03',
      provisional: false,
    });
  });

  it('acceptance on a Friday: the weekend is skipped', () => {
    // Fri 11-27 accepted: 11-30 (1), 12-01 (2), 12-02 (3), 12-03 (4), 12-04 (5)
    expect(cal.addWorkingDays(sh('2026-11-27T16:45:00'), 5).deadline).toBe('2026-12-04T23:59:59+08:00');
    // Fri 09-18 accepted: Sat 09-19 off, Sun 09-20 make-up (1), 09-21 (2), 09-22 (3), 09-23 (4), 09-24 (5)
    expect(cal.addWorkingDays(sh('2026-09-18T09:00:00'), 5).deadlineDate).toBe('2026-09-24');
  });

  it('acceptance on a holiday: Spring Festival', () => {
    // accepted 02-17 (holiday): 02-18..02-23 off, 02-24 (1), 02-25 (2), 02-26 (3), 02-27 (4), Sat 02-28 make-up (5)
    expect(cal.addWorkingDays(sh('2026-02-17T11:00:00'), 1).deadlineDate).toBe('2026-02-24');
    expect(cal.addWorkingDays(sh('2026-02-17T11:00:00'), 5).deadline).toBe('2026-02-28T23:59:59+08:00');
    // accepted Fri 02-13: Sat 02-14 make-up (1), 02-15..02-23 off, 02-24 (2)
    expect(cal.addWorkingDays(sh('2026-02-13T10:00:00'), 2).deadlineDate).toBe('2026-02-24');
  });

  it('n = 5 across Mid-Autumn 09-25..27 and National Day', () => {
    // accepted Thu 09-24: 09-25..27 off, 09-28 (1), 09-29 (2), 09-30 (3), 10-01..07 off, 10-08 (4), 10-09 (5)
    expect(cal.addWorkingDays(sh('2026-09-24T15:00:00'), 5).deadline).toBe('2026-10-09T23:59:59+08:00');
    expect(cal.addWorkingDays(sh('2026-09-24T15:00:00'), 6).deadlineDate).toBe('2026-10-10'); // Saturday make-up
    expect(cal.addWorkingDays(sh('2026-09-24T15:00:00'), 7).deadlineDate).toBe('2026-10-12'); // Sunday 10-11 off
  });

  it('uses the Shanghai day: 2026-11-26T17:30:00Z is already Friday 11-27 in Shanghai', () => {
    const ms = Date.parse('2026-11-26T17:30:00Z'); // = 2026-11-27 01:30 +08:00
    expect(shanghaiDate(ms)).toBe('2026-11-27');
    // the from-day is Fri 11-27, so + 5 => Fri 12-04 (not Thu 12-03 as for 11-26)
    expect(cal.addWorkingDays(ms, 5).deadline).toBe('2026-12-04T23:59:59+08:00');
    // the day boundary is 16:00Z
    expect(shanghaiDate(Date.parse('2026-11-26T15:59:59.999Z'))).toBe('2026-11-26');
    expect(shanghaiDate(Date.parse('2026-11-26T16:00:00Z'))).toBe('2026-11-27');
  });

  it('n = 0 is the end of the from-day itself', () => {
    expect(cal.addWorkingDays(sh('2026-02-17T11:00:00'), 0)).toEqual({
      deadlineMs: Date.parse('2026-02-17T23:59:59+08:00'),
      deadline: '2026-02-17T23:59:59+08:00',
      deadlineDate: '2026-02-17',
      provisional: false,
    });
  });

  it("a year with no data (2027): strict throws CalendarYearMissingError, otherwise provisional ('weekdays' rule)", () => {
    const from = sh('2026-12-28T10:00:00'); // Monday
    // 12-29 (1), 12-30 (2), 12-31 (3), Fri 2027-01-01 (4, weekday guess), Mon 2027-01-04 (5)
    expect(weekdaysCal.addWorkingDays(from, 5)).toEqual({
      deadlineMs: Date.parse('2027-01-04T23:59:59+08:00'),
      deadline: '2027-01-04T23:59:59+08:00',
      deadlineDate: '2027-01-04',
      provisional: true,
    });
    expect(() => cal.addWorkingDays(from, 5, { strict: true })).toThrow(CalendarYearMissingError);
    try {
      cal.addWorkingDays(from, 5, { strict: true });
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarYearMissingError);
      expect((e as CalendarYearMissingError).year).toBe(2027);
    }
    // staying inside 2026 is fine even when strict
    expect(cal.addWorkingDays(from, 3, { strict: true })).toMatchObject({ deadlineDate: '2026-12-31', provisional: false });
  });

  it('rejects a bad n', () => {
    const from = sh('2026-11-26T10:00:00');
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 3661]) {
      expect(() => cal.addWorkingDays(from, n)).toThrow(RangeError);
    }
    expect(cal.addWorkingDays(from, 3660).provisional).toBe(true); // allowed, runs into years without data
    expect(() => cal.addWorkingDays(Number.NaN, 1)).toThrow(RangeError);
  });

  it('a calendar with no years at all is provisional everywhere', () => {
    const empty = new WorkingDayCalendar([]);
    expect(empty.years()).toEqual([]);
    // Thu 2026-11-26 + 5 on weekdays only is also 12-03
    expect(empty.addWorkingDays(sh('2026-11-26T10:00:00'), 5)).toMatchObject({ deadlineDate: '2026-12-03', provisional: true });
  });
});

describe("years without official data: the statutory holidays (the default 'statutory-holidays' rule)", () => {
  /*
   * 全国年节及纪念日放假办法 art. 2 as revised by 国务院令第795号 (effective 2025-01-01). Every lunar date and 清明 below
   * was cross-checked with an independent implementation (borax 4.1.3, Python, table-based) and the 春节 dates
   * (正月初一 2027-02-06, 2028-01-26, 2029-02-13, 2030-02-03) with a published list of Chinese New Year dates.
   * 除夕 is 腊月廿九 in 2027, 2028 and 2029 and 腊月三十 in 2030.
   */
  it.each([
    [2027, [['元旦', '2027-01-01', '2027-01-01'], ['春节', '2027-02-05', '2027-02-08'], ['清明节', '2027-04-05', '2027-04-05'], ['劳动节', '2027-05-01', '2027-05-02'], ['端午节', '2027-06-09', '2027-06-09'], ['中秋节', '2027-09-15', '2027-09-15'], ['国庆节', '2027-10-01', '2027-10-03']]],
    [2028, [['元旦', '2028-01-01', '2028-01-01'], ['春节', '2028-01-25', '2028-01-28'], ['清明节', '2028-04-04', '2028-04-04'], ['劳动节', '2028-05-01', '2028-05-02'], ['端午节', '2028-05-28', '2028-05-28'], ['中秋节', '2028-10-03', '2028-10-03'], ['国庆节', '2028-10-01', '2028-10-03']]],
    [2029, [['元旦', '2029-01-01', '2029-01-01'], ['春节', '2029-02-12', '2029-02-15'], ['清明节', '2029-04-04', '2029-04-04'], ['劳动节', '2029-05-01', '2029-05-02'], ['端午节', '2029-06-16', '2029-06-16'], ['中秋节', '2029-09-22', '2029-09-22'], ['国庆节', '2029-10-01', '2029-10-03']]],
    [2030, [['元旦', '2030-01-01', '2030-01-01'], ['春节', '2030-02-02', '2030-02-05'], ['清明节', '2030-04-05', '2030-04-05'], ['劳动节', '2030-05-01', '2030-05-02'], ['端午节', '2030-06-05', '2030-06-05'], ['中秋节', '2030-09-12', '2030-09-12'], ['国庆节', '2030-10-01', '2030-10-03']]],
  ])('%i: art. 2 holidays, lunar festivals and 清明 computed', (year, expected) => {
    expect(statutoryHolidays(year).map((h) => [h.name, h.from, h.to])).toEqual(expected);
  });

  it.each([
    // [what, lunar year, lunar month, lunar day, Gregorian date]: tyme4ts's conversion against the published dates
    ['正月初一', 2027, 1, 1, '2027-02-06'],
    ['正月初一', 2028, 1, 1, '2028-01-26'],
    ['正月初一', 2029, 1, 1, '2029-02-13'],
    ['正月初一', 2030, 1, 1, '2030-02-03'],
    ['端午', 2027, 5, 5, '2027-06-09'],
    ['中秋', 2027, 8, 15, '2027-09-15'],
  ])('%s of lunar year %i (month %i, day %i) is %s', (_what, y, m, d, date) => {
    const [gy, gm, gd] = date.split('-').map(Number);
    expect(LunarDay.fromYmd(y, m, d).getSolarDay().equals(SolarDay.fromYmd(gy!, gm!, gd!))).toBe(true);
  });

  it.each([
    [2027, '2027-02-05', 29],
    [2028, '2028-01-25', 29],
    [2029, '2029-02-12', 29],
    [2030, '2030-02-02', 30],
  ])('%i: 除夕 %s is the last day (the %ith) of the twelfth lunar month', (year, eve, lastDay) => {
    const [gy, gm, gd] = eve.split('-').map(Number);
    const lunar = SolarDay.fromYmd(gy!, gm!, gd!).getLunarDay();
    expect([lunar.getLunarMonth().getMonthWithLeap(), lunar.getDay()]).toEqual([12, lastDay]);
    expect(lunar.getLunarMonth().getDayCount()).toBe(lastDay);
    expect(statutoryHolidays(year).find((h) => h.name === '春节')!.from).toBe(eve);
  });

  it('清明 is the day of the solar term in Beijing time: 2027-04-05', () => {
    expect(SolarTerm.fromName(2027, '清明').getSolarDay().equals(SolarDay.fromYmd(2027, 4, 5))).toBe(true);
    expect(statutoryHolidays(2027).find((h) => h.name === '清明节')).toEqual({ name: '清明节', from: '2027-04-05', to: '2027-04-05' });
  });

  it.each([2025, 2026])('is a lower bound of the official %i notice: every statutory day is an official holiday, none a make-up day', (year) => {
    const official = new WorkingDayCalendar([data2025, data2026]);
    const stat = statutoryHolidays(year);
    expect(stat).toHaveLength(7);
    for (const h of stat) {
      for (let day = endOfShanghaiDay(h.from); day <= endOfShanghaiDay(h.to); day += 86_400_000) {
        expect([shanghaiDate(day), official.isWorkingDay(shanghaiDate(day))]).toEqual([shanghaiDate(day), { working: false, provisional: false }]);
      }
    }
  });

  it('every statutory day of 2027–2030 is a day off, marked provisional; the next ordinary weekday works', () => {
    expect(cal.provisionalRule).toBe('statutory-holidays');
    for (let year = 2027; year <= 2030; year++) {
      for (const h of statutoryHolidays(year)) {
        for (let day = endOfShanghaiDay(h.from); day <= endOfShanghaiDay(h.to); day += 86_400_000) {
          expect([shanghaiDate(day), cal.isWorkingDay(shanghaiDate(day))]).toEqual([shanghaiDate(day), { working: false, provisional: true }]);
        }
      }
    }
    expect(cal.isWorkingDay('2027-10-04')).toEqual({ working: true, provisional: true }); // Monday after 国庆节
    expect(cal.isWorkingDay('2027-02-09')).toEqual({ working: true, provisional: true }); // Tuesday after 春节
    expect(cal.holidayName('2027-01-01')).toBeUndefined(); // names only official data
  });

  it('counts 7 fewer working days in 2027 than Mon–Fri: the art. 2 days that fall on weekdays', () => {
    // 01-01 Fri, 02-05 Fri, 02-08 Mon, 04-05 Mon, 06-09 Wed, 09-15 Wed, 10-01 Fri (05-01/02 and 10-02/03 are weekend days)
    expect(weekdaysCal.workingDaysAfter('2026-12-31', '2027-12-31')).toEqual({ days: 261, provisional: true });
    expect(cal.workingDaysAfter('2026-12-31', '2027-12-31')).toEqual({ days: 254, provisional: true });
  });

  it.each([
    // [what, accepted (Shanghai), working days, statutory-holidays deadline, weekdays deadline]
    ['元旦 2027 (Fri)', '2026-12-28T10:00:00', 5, '2027-01-05', '2027-01-04'],
    ['春节 2027 (除夕 Fri 02-05 .. 初三 Mon 02-08)', '2027-02-04T10:00:00', 3, '2027-02-11', '2027-02-09'],
    ['清明 2027 (Mon 04-05)', '2027-04-02T10:00:00', 1, '2027-04-06', '2027-04-05'],
    ['劳动节 2027 falls on Sat–Sun: the 补假 is for the notice to fix, so no effect yet', '2027-04-30T10:00:00', 1, '2027-05-03', '2027-05-03'],
    ['端午 2027 (Wed 06-09)', '2027-06-08T10:00:00', 1, '2027-06-10', '2027-06-09'],
    ['中秋 2027 (Wed 09-15)', '2027-09-14T10:00:00', 2, '2027-09-17', '2027-09-16'],
    ['国庆 2027 (Fri 10-01)', '2027-09-30T10:00:00', 1, '2027-10-04', '2027-10-01'],
    ['春节 2028 (除夕 Tue 01-25 .. Fri 01-28)', '2028-01-24T10:00:00', 1, '2028-01-31', '2028-01-25'],
    ['中秋 2028 on 国庆 (10-01..03): one day off, not two', '2028-09-29T10:00:00', 2, '2028-10-05', '2028-10-03'],
    ['春节 2029 (除夕 Mon 02-12 .. Thu 02-15)', '2029-02-09T10:00:00', 1, '2029-02-16', '2029-02-12'],
    ['元旦 2030 (Tue)', '2029-12-31T10:00:00', 1, '2030-01-02', '2030-01-01'],
    ['春节 2030 (除夕 腊月三十 Sat 02-02 .. Tue 02-05)', '2030-02-01T10:00:00', 1, '2030-02-06', '2030-02-04'],
    ['国庆 2030 (Tue 10-01 .. Thu 10-03)', '2030-09-30T10:00:00', 1, '2030-10-04', '2030-10-01'],
  ])('%s: accepted %s + %i => %s (weekdays rule: %s), provisional', (_what, accepted, n, statutory, weekdays) => {
    expect(cal.addWorkingDays(sh(accepted), n)).toEqual({
      deadlineMs: endOfShanghaiDay(statutory),
      deadline: `${statutory}T23:59:59+08:00`,
      deadlineDate: statutory,
      provisional: true,
    });
    expect(weekdaysCal.addWorkingDays(sh(accepted), n)).toMatchObject({ deadlineDate: weekdays, provisional: true });
    expect(() => cal.addWorkingDays(sh(accepted), n, { strict: true })).toThrow(CalendarYearMissingError);
  });

  it('extends a provisional deadline across statutory days, and stays provisional', () => {
    const deadline = endOfShanghaiDay('2027-09-30'); // Thursday
    // 10-01 (Fri, 国庆节) off, Mon 10-04 (1), Tue 10-05 (2)
    expect(cal.extendDeadline(deadline, 2)).toMatchObject({ deadlineDate: '2027-10-05', provisional: true });
    expect(weekdaysCal.extendDeadline(deadline, 2)).toMatchObject({ deadlineDate: '2027-10-04', provisional: true });
  });

  it("the official file for the year replaces the provisional rule (and clears 'provisional')", () => {
    const accepted = sh('2027-09-30T10:00:00'); // Thursday
    expect(cal.addWorkingDays(accepted, 1)).toMatchObject({ deadlineDate: '2027-10-04', provisional: true });
    // TEST DATA ONLY, not the real 2027 notice: 国庆 with bridging days to 10-07 and a Sunday make-up day before it.
    const official2027: CalendarYearData = {
      year: 2027,
      source: 'TEST DATA ONLY',
      holidays: [{ name: '国庆节', from: '2027-10-01', to: '2027-10-07' }],
      makeupWorkdays: ['2027-09-26'],
    };
    for (const provisional of ['statutory-holidays', 'weekdays'] as const) {
      const loaded = new WorkingDayCalendar([data2025, data2026, official2027], { provisional });
      expect(loaded.addWorkingDays(accepted, 1)).toMatchObject({ deadlineDate: '2027-10-08', provisional: false });
      // The official file rules on its own: 元旦 is not in this test file, so 2027-01-01 is an ordinary Friday.
      expect(loaded.isWorkingDay('2027-01-01')).toEqual({ working: true, provisional: false });
      expect(loaded.isWorkingDay('2027-09-26')).toEqual({ working: true, provisional: false });
      // 2028 is still provisional, by the chosen rule
      expect(loaded.isWorkingDay('2028-01-25').provisional).toBe(true);
    }
  });

  it('years before the 2025 text are counted Mon–Fri (their art. 2 differed and they are never in the future)', () => {
    expect(statutoryHolidays(2024)).toEqual([]);
    expect(new WorkingDayCalendar([]).isWorkingDay('2024-10-01')).toEqual({ working: true, provisional: true }); // a Tuesday
  });

  it('rejects a bad year and a bad rule', () => {
    for (const y of [2027.5, -1, 10_000, Number.NaN]) expect(() => statutoryHolidays(y)).toThrow(RangeError);
    expect(() => new WorkingDayCalendar([], { provisional: 'guess' as never })).toThrow(/provisional must be one of weekdays, statutory-holidays/);
  });
});

describe('workingDaysAfter', () => {
  it('counts fromDate < d <= toDate across Mid-Autumn, National Day and the Saturday make-up day', () => {
    // 09-28, 09-29, 09-30, 10-08, 10-09, 10-10 (Sat make-up) = 6
    expect(cal.workingDaysAfter('2026-09-24', '2026-10-10')).toEqual({ days: 6, provisional: false });
    // 09-20 (Sunday make-up) is counted: 09-20, 09-21 = 2
    expect(cal.workingDaysAfter('2026-09-19', '2026-09-21')).toEqual({ days: 2, provisional: false });
  });

  it('counts across Spring Festival', () => {
    // 02-14 (Sat make-up), 02-24, 02-25, 02-26, 02-27, 02-28 (Sat make-up) = 6
    expect(cal.workingDaysAfter('2026-02-13', '2026-02-28')).toEqual({ days: 6, provisional: false });
  });

  it('is 0 for an empty or reversed range', () => {
    expect(cal.workingDaysAfter('2026-11-27', '2026-11-27')).toEqual({ days: 0, provisional: false });
    expect(cal.workingDaysAfter('2026-12-01', '2026-11-27')).toEqual({ days: 0, provisional: false });
    // Sat + Sun only
    expect(cal.workingDaysAfter('2026-11-27', '2026-11-29')).toEqual({ days: 0, provisional: false });
  });

  it('is provisional (or strict-refused) into 2027', () => {
    // 'weekdays' rule: 12-31 (Thu), 2027-01-01 (Fri, guess) = 2
    expect(weekdaysCal.workingDaysAfter('2026-12-30', '2027-01-03')).toEqual({ days: 2, provisional: true });
    // statutory rule: 2027-01-01 is 元旦 (art. 2), so only 12-31 = 1
    expect(cal.workingDaysAfter('2026-12-30', '2027-01-03')).toEqual({ days: 1, provisional: true });
    expect(() => cal.workingDaysAfter('2026-12-30', '2027-01-03', { strict: true })).toThrow(CalendarYearMissingError);
  });
});

describe('extendDeadline', () => {
  it('moves a deadline by working days, staying at 23:59:59 +08:00', () => {
    const deadline = Date.parse('2026-12-03T23:59:59+08:00'); // Thursday
    // 12-04 Fri (1), 12-07 Mon (2)
    expect(cal.extendDeadline(deadline, 2)).toEqual({
      deadlineMs: Date.parse('2026-12-07T23:59:59+08:00'),
      deadline: '2026-12-07T23:59:59+08:00',
      deadlineDate: '2026-12-07',
      provisional: false,
    });
    expect(cal.extendDeadline(deadline, 0).deadlineMs).toBe(deadline);
  });

  it('extends by the paused time of a supplement across a holiday', () => {
    // accepted Thu 09-17: 09-18 (1), 09-20 Sun make-up (2), 09-21 (3), 09-22 (4), 09-23 (5)
    const original = cal.addWorkingDays(sh('2026-09-17T09:00:00'), 5);
    expect(original.deadlineDate).toBe('2026-09-23');
    // waited on the applicant from 09-22 to 09-30: 09-23, 09-24, 09-28, 09-29, 09-30 = 5 working days paused
    const paused = cal.workingDaysAfter('2026-09-22', '2026-09-30');
    expect(paused).toEqual({ days: 5, provisional: false });
    // 09-23 + 5: 09-24 (1), 09-28 (2), 09-29 (3), 09-30 (4), 10-08 (5)
    expect(cal.extendDeadline(original.deadlineMs, paused.days).deadline).toBe('2026-10-08T23:59:59+08:00');
  });
});

describe('helpers', () => {
  it('formatShanghai / endOfShanghaiDay', () => {
    expect(formatShanghai(0)).toBe('1970-01-01T08:00:00+08:00');
    expect(formatShanghai(Date.parse('2026-11-26T17:30:00.999Z'))).toBe('2026-11-27T01:30:00+08:00');
    expect(endOfShanghaiDay('2026-12-03')).toBe(Date.parse('2026-12-03T15:59:59Z'));
    expect(formatShanghai(endOfShanghaiDay('2028-02-29'))).toBe('2028-02-29T23:59:59+08:00');
    expect(() => endOfShanghaiDay('2026-13-01')).toThrow(RangeError);
  });
});

describe('invalid calendar data is rejected', () => {
  const base = (): CalendarYearData => ({
    year: 2030,
    source: 'test',
    holidays: [{ name: '元旦', from: '2030-01-01', to: '2030-01-01' }],
    makeupWorkdays: [],
  });
  const bad = (mutate: (d: CalendarYearData) => void, message: RegExp): void => {
    const d = base();
    mutate(d);
    expect(() => new WorkingDayCalendar([d])).toThrow(CalendarDataError);
    expect(() => new WorkingDayCalendar([d])).toThrow(message);
  };

  it('accepts the valid base', () => {
    expect(new WorkingDayCalendar([base()]).years()).toEqual([2030]);
  });
  it('duplicate year', () => {
    expect(() => new WorkingDayCalendar([base(), base()])).toThrow(/2030 appears more than once/);
  });
  it('dates outside the year', () => {
    bad((d) => (d.holidays[0]!.to = '2031-01-01'), /not in 2030/);
    bad((d) => d.makeupWorkdays.push('2029-12-29'), /not in 2030/);
  });
  it('from after to', () => {
    bad((d) => d.holidays.push({ name: '春节', from: '2030-02-10', to: '2030-02-03' }), /after/);
  });
  it('a make-up day that is also a holiday', () => {
    bad((d) => d.makeupWorkdays.push('2030-01-01'), /both a make-up workday and a holiday/);
  });
  it('malformed dates and fields', () => {
    bad((d) => (d.holidays[0]!.from = '2030-02-30'), /not a real/);
    bad((d) => d.makeupWorkdays.push('2030/01/05'), /not a real/);
    bad((d) => (d.year = 2030.5), /integer/);
    bad((d) => (d.source = ''), /source/);
  });
});
