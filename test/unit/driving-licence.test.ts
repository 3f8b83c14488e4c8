/**
 * Licence classes against vehicles (机动车驾驶证申领和使用规定 附件1; GA 802-2019 表1) and the scoring periods and
 * "last year" of the school-bus driver rules (校车安全管理条例 art. 23), on every boundary.
 */
import { addYears, lastScoringPeriods, licenceCodes, licenceCovers, requiredLicence, withinLastYear, type RecordedVehicle } from '../../domain/driving-licence';

describe('the licence class a vehicle needs', () => {
  const truck = (totalMassKg: number, lengthMm: number | null = null): RecordedVehicle => ({ configuration: 'truck', totalMassKg, lengthMm });
  const bus = (seats: number, lengthMm: number | null): RecordedVehicle => ({ configuration: 'truck', totalMassKg: 8000, seats, lengthMm });
  const combination = (totalMassKg: number): RecordedVehicle => ({ configuration: 'combination', totalMassKg });
  it.each<[string, RecordedVehicle, string]>([
    ['truck 12,000 kg: 重型', truck(12000), 'B2 重型载货汽车'],
    ['truck 11,999 kg: 中型', truck(11999), 'B2 中型载货汽车'],
    ['truck 4,500 kg: 中型', truck(4500), 'B2 中型载货汽车'],
    ['truck 4,499 kg, 6,000 mm: 中型 by length', truck(4499, 6000), 'B2 中型载货汽车'],
    ['truck 4,499 kg, 5,999 mm: 轻型', truck(4499, 5999), 'C1 轻型、微型载货汽车'],
    ['bus 20 occupants, 5,500 mm: 大型 by occupants', bus(20, 5500), 'A1 大型载客汽车'],
    ['bus 19 occupants, 6,000 mm: 大型 by length', bus(19, 6000), 'A1 大型载客汽车'],
    ['bus 19 occupants, 5,999 mm: 中型', bus(19, 5999), 'B1 中型载客汽车'],
    ['bus 10 occupants, 5,999 mm: 中型', bus(10, 5999), 'B1 中型载客汽车'],
    ['bus 9 occupants, 5,999 mm: 小型', bus(9, 5999), 'C1 小型载客汽车'],
    ['bus 41 occupants, length unknown: 大型 all the same', bus(41, null), 'A1 大型载客汽车'],
    ['combination 4,500 kg: A2 (C6 is for less than 4,500 kg only)', combination(4500), 'A2 重型、中型牵引挂车列车'],
    ['combination 4,499 kg: C6', combination(4499), 'C6 轻型牵引挂车列车'],
  ])('%s', (_name, vehicle, expected) => {
    const need = requiredLicence(vehicle);
    expect(need.known ? `${need.code} ${need.category}` : need.reason).toBe(expected);
  });

  it.each<[string, RecordedVehicle]>([
    ['a bus of 19 occupants with no recorded length', bus(19, null)],
    ['a truck of 4,000 kg with no recorded length', truck(4000)],
  ])('%s is for a person: the length decides', (_name, vehicle) => {
    expect(requiredLicence(vehicle)).toMatchObject({ known: false, reason: expect.stringContaining('no recorded length') });
  });
});

describe('which classes a licence covers (附件1, with its included classes)', () => {
  it.each<[string | null, string, boolean]>([
    ['A1', 'A1', true],
    ['A1', 'B1', true],
    ['A1', 'B2', true],
    ['A1', 'A2', false],
    ['A2', 'B2', true],
    ['A2', 'C6', true],
    ['A2', 'A1', false],
    ['A3', 'A1', false], // city buses only: a school bus is not a 城市公共汽车
    ['A3', 'B1', false],
    ['B1', 'A1', false],
    ['B1', 'B1', true],
    ['B2', 'B2', true],
    ['B2', 'B1', false],
    ['C1', 'B2', false],
    ['C1', 'C1', true],
    ['C2', 'C1', false],
    ['C1E', 'B2', false],
    ['B2D', 'B2', true],
    ['A1 E', 'B2', true],
    [null, 'C1', false],
    ['', 'C1', false],
    ['XYZ', 'C1', false],
  ])('%s drives %s: %s', (held, needed, expected) => {
    expect(licenceCovers(held, needed as never)).toBe(expected);
  });

  it('reads every class written on a licence, once', () => {
    expect(licenceCodes('a2d, A2')).toEqual(['A2', 'D']);
  });
});

describe('scoring periods (12 months from the first issue) and the last year', () => {
  it.each<[string, string, string[]]>([
    ['2014-03-15', '2026-11-26', ['2024-03-15/2025-03-14', '2025-03-15/2026-03-14', '2026-03-15/2027-03-14']],
    ['2014-03-15', '2026-03-15', ['2024-03-15/2025-03-14', '2025-03-15/2026-03-14', '2026-03-15/2027-03-14']],
    ['2014-03-15', '2026-03-14', ['2023-03-15/2024-03-14', '2024-03-15/2025-03-14', '2025-03-15/2026-03-14']],
    ['2025-06-01', '2026-11-26', ['2025-06-01/2026-05-31', '2026-06-01/2027-05-31']],
    ['2026-11-26', '2026-11-26', ['2026-11-26/2027-11-25']],
    ['2026-11-27', '2026-11-26', []],
    // 29 February: the period starts on 28 February in a common year.
    ['2012-02-29', '2026-11-26', ['2024-02-29/2025-02-27', '2025-02-28/2026-02-27', '2026-02-28/2027-02-27']],
  ])('first issued %s, today %s', (first, today, expected) => {
    expect(lastScoringPeriods(first, today).map((p) => `${p.from}/${p.to}`)).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ['2025-11-26', true], // exactly one year before: counted (read against the driver)
    ['2025-11-25', false],
    ['2026-11-26', true],
    ['2026-12-01', true], // dated after today: a faulty record a person must see
  ])('on 2026-11-26, %s is within the last year: %s', (date, expected) => {
    expect(withinLastYear(date, '2026-11-26')).toBe(expected);
  });

  it('moves 29 February to 28 February in a common year', () => {
    expect([addYears('2024-02-29', 1), addYears('2024-02-29', 4), addYears('2026-11-26', -1)]).toEqual(['2025-02-28', '2028-02-29', '2025-11-26']);
  });
});
