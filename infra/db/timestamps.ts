/**
 * Epoch ms of a timestamp as the database driver hands it back: MikroORM's raw queries return `timestamptz` columns as
 * strings, entity queries as Dates. One conversion, used wherever raw rows meet the calendar.
 */
export function toEpochMs(value: Date | string | number): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
}
