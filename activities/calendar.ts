import { ApplicationFailure } from '@temporalio/activity';
import type { CalendarYearData } from '../domain/calendar';
import { readCalendarYears } from '../infra/calendar-store';
import { FailureTypes } from '../workflows/definitions';
import { classifyAll } from './errors';

/** File-system conditions that pass by themselves; anything else about the calendar files stays until someone fixes them. */
const TRANSIENT_FS_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO']);

/** The calendar is read through an activity: the data lands in history, so the workflow stays deterministic. */
export function createCalendarActivities(deps: { calendarDir: string }) {
  return classifyAll({
    async loadCalendar(): Promise<CalendarYearData[]> {
      try {
        return readCalendarYears(deps.calendarDir);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && TRANSIENT_FS_CODES.has(code)) throw err;
        // A file that does not parse or validate (or a missing directory) fails the same way on every attempt. The
        // calendar is public data, so the parser's message may be shown; it is capped all the same.
        const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        throw ApplicationFailure.nonRetryable(`the working-day calendar cannot be loaded: ${why.slice(0, 300)}`, FailureTypes.InvalidCalendar);
      }
    },
  });
}
