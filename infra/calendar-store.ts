/**
 * The official working-day calendar is data: one JSON file per year under data/calendar (CALENDAR_DIR). Loading a new
 * year is adding a file (and signalling running cases with provisional deadlines); no code changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkingDayCalendar, type CalendarYearData } from '../domain/calendar';

export function readCalendarYears(dir: string): CalendarYearData[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}\.json$/.test(f)).sort();
  const years = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CalendarYearData);
  new WorkingDayCalendar(years); // validates: a broken file fails loudly here, not inside a case
  return years;
}

export function loadWorkingDayCalendar(dir: string): WorkingDayCalendar {
  return new WorkingDayCalendar(readCalendarYears(dir));
}
