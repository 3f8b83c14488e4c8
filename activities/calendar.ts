import type { CalendarYearData } from '../domain/calendar';
import { readCalendarYears } from '../infra/calendar-store';

/** The calendar is read through an activity: the data lands in history, so the workflow stays deterministic. */
export function createCalendarActivities(deps: { calendarDir: string }) {
  return {
    async loadCalendar(): Promise<CalendarYearData[]> {
      return readCalendarYears(deps.calendarDir);
    },
  };
}
