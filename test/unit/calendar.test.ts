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
} from '../../domain/calendar';
import data2025 from '../../data/calendar/2025.json';
import data2026 from '../../data/calendar/2026.json';

const cal = new WorkingDayCalendar([data2025, data2026]);
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

  it.each(['calendar.ts', 'civil-date.ts'])('domain/%s is sandbox-safe: only relative imports, no clock, no randomness, no Intl', (file) => {
    const src = readFileSync(join(__dirname, '../../domain', file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '') // block comments mention the forbidden calls on purpose
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(/^\s*import\s[^;]*from\s+'([^']+)'/gm)) expect(m[1]).toMatch(/^\.\//);
    expect(src).not.toMatch(/require\(/);
    expect(src).not.toMatch(/Date\.now|new Date\(\s*\)|Math\.random|Intl\./);
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

  it('a year without data uses Mon–Fri and is provisional', () => {
    expect(cal.isWorkingDay('2027-01-01')).toEqual({ working: true, provisional: true }); // a Friday
    expect(cal.isWorkingDay('2027-01-02')).toEqual({ working: false, provisional: true }); // a Saturday
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

  it('a year with no data (2027): strict throws CalendarYearMissingError, otherwise provisional weekdays', () => {
    const from = sh('2026-12-28T10:00:00'); // Monday
    // 12-29 (1), 12-30 (2), 12-31 (3), Fri 2027-01-01 (4, weekday guess), Mon 2027-01-04 (5)
    expect(cal.addWorkingDays(from, 5)).toEqual({
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
    // 12-31 (Thu), 2027-01-01 (Fri, guess) = 2
    expect(cal.workingDaysAfter('2026-12-30', '2027-01-03')).toEqual({ days: 2, provisional: true });
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
