/**
 * The check library (domain/checks): every check type passes and fails at its boundaries, from one baseline form and
 * set of records that passes them all; then the configuration a step carries (what the catalogue refuses, with the
 * step and check named), form paths, `requires` and `allOf`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { idCardWithCheck, creditCodeWithCheck } from '../../domain/identifiers';
import {
  CHECK_TYPES,
  CHECK_TYPE_NAMES,
  checksConfigSchema,
  checksJsonSchema,
  emptyRecords,
  localDateOf,
  pathProblemsInSchema,
  recordsNeeded,
  requiredThrough,
  resolveFormPath,
  runCheckType,
  runConfiguredChecks,
  stepCheckIssues,
  type CheckRecords,
  type ConfiguredCheck,
} from '../../domain/checks';

const TODAY = '2026-03-02';
const YESTERDAY = '2026-03-01';
const DRIVER = idCardWithCheck('37080219800101001'); // born 1980-01-01: 46 today
const COMPANY = creditCodeWithCheck('91370800MA3C00010');
const OTHER = creditCodeWithCheck('91370800MA3C00020');
const PLATE = '鲁H10001';

function baseForm() {
  return {
    applicant: { creditCode: COMPANY, name: '济宁示例运输有限公司' },
    driver: { idCard: DRIVER, name: '张三' },
    drivers: [{ idCard: DRIVER, name: '张三' }],
    vehicle: { plate: PLATE },
    vehicles: [{ plate: PLATE }],
    insuranceUntil: '2030-12-31',
    travelTo: '2026-03-11T04:00:00+08:00',
    safetyManagementSystem: true,
  };
}
type Form = ReturnType<typeof baseForm>;

function baseRecords(): CheckRecords {
  const r = emptyRecords();
  r.people.set(DRIVER, {
    idCard: DRIVER,
    name: '张三',
    licenceClass: 'B2',
    licenceValidUntil: TODAY,
    freightQualificationValidUntil: TODAY,
    healthDeclarationValidUntil: TODAY,
    drivingYears: 3,
    licenceFirstIssuedOn: '2010-05-01',
    schoolBusEndorsement: null,
    fullPointDates: [],
    seriousViolations: [],
    seriousAccident: false,
    drinkDriving: false,
    criminalRecord: false,
  });
  r.vehicles.set(PLATE, {
    plate: PLATE,
    ownerKey: COMPANY,
    configuration: 'truck',
    totalMassKg: 18000,
    axles: 3,
    inspectionValidUntil: TODAY,
    drivingLicenceValidUntil: TODAY,
    roadTransportCertValidUntil: TODAY,
    meetsSchoolBusStandard: true,
  });
  r.companies.set(COMPANY, {
    creditCode: COMPANY,
    name: '济宁示例运输有限公司',
    businessScope: ['道路货物运输（不含危险货物）'],
    businessLicenceStatus: 'active',
    operatingPermitNo: '鲁交运管许可济字370800000001号',
    operatingPermitValidUntil: TODAY,
    operatingScope: ['道路普通货物运输', '大型物件运输'],
    seriousViolation: false,
    liabilityInsuranceValidUntil: TODAY,
  });
  r.insurance.set(COMPANY, { holder: '济宁示例运输有限公司', validUntil: TODAY });
  r.ownerNames.set(OTHER, '济宁另一运输有限公司');
  return r;
}

type Mutate = (f: Form, r: CheckRecords) => void;
const person = (r: CheckRecords) => r.people.get(DRIVER)!;
const vehicle = (r: CheckRecords) => r.vehicles.get(PLATE)!;
const company = (r: CheckRecords) => r.companies.get(COMPANY)!;
/** A driver whose ID number says born on `birth` ('YYYYMMDD'). */
const bornOn = (birth: string): Mutate => (f, r) => {
  const id = idCardWithCheck(`370802${birth}001`);
  f.driver = { idCard: id, name: '张三' };
  r.people.set(id, { ...person(r), idCard: id });
};

interface Row {
  type: string;
  params: Record<string, unknown>;
  name: string;
  ok: boolean;
  mutate?: Mutate;
  /** A fragment the detail must contain. */
  detail?: string;
}

const C = { company: 'applicant.creditCode' };
const V = { vehicle: 'vehicle.plate' };
const P = { person: 'driver.idCard' };

const ROWS: Row[] = [
  // ---- company ----
  { type: 'company-registered', params: C, name: 'in the register', ok: true, detail: 'found in the market-regulation register' },
  { type: 'company-registered', params: C, name: 'not in the register', ok: false, mutate: (_f, r) => r.companies.clear(), detail: 'not in the register' },
  { type: 'business-licence-active', params: C, name: 'active', ok: true },
  { type: 'business-licence-active', params: C, name: 'revoked', ok: false, mutate: (_f, r) => { company(r).businessLicenceStatus = 'revoked'; }, detail: 'revoked' },
  { type: 'identity-matches-records', params: { record: 'company', key: C.company, name: 'applicant.name' }, name: 'company name as registered', ok: true },
  { type: 'identity-matches-records', params: { record: 'company', key: C.company, name: 'applicant.name' }, name: 'white space does not count', ok: true, mutate: (f) => { f.applicant.name = ' 济宁示例 运输有限公司 '; } },
  { type: 'identity-matches-records', params: { record: 'company', key: C.company, name: 'applicant.name' }, name: 'another name', ok: false, mutate: (f) => { f.applicant.name = '济宁示例物流有限公司'; }, detail: '济宁示例物流有限公司 / 济宁示例运输有限公司' },
  { type: 'identity-matches-records', params: { record: 'person', key: P.person, name: 'driver.name' }, name: 'person name on record', ok: true },
  { type: 'identity-matches-records', params: { record: 'person', key: P.person, name: 'driver.name' }, name: 'person with another name', ok: false, mutate: (f) => { f.driver.name = '李四'; } },
  { type: 'identity-matches-records', params: { record: 'person', key: P.person, name: 'driver.name' }, name: 'person not on record', ok: false, mutate: (_f, r) => r.people.clear() },
  { type: 'permit-covers-scope', params: { ...C, permit: 'business-licence', scope: ['道路货物运输'] }, name: 'business scope contains the words', ok: true },
  { type: 'permit-covers-scope', params: { ...C, permit: 'business-licence', scope: ['道路货物运输'] }, name: 'business scope without them', ok: false, mutate: (_f, r) => { company(r).businessScope = ['普通货物仓储']; }, detail: '普通货物仓储' },
  { type: 'permit-covers-scope', params: { ...C, permit: 'operating-permit', scope: ['bulky_cargo', '大型物件'] }, name: 'permit scope covers bulky cargo', ok: true },
  { type: 'permit-covers-scope', params: { ...C, permit: 'operating-permit', scope: ['bulky_cargo'] }, name: 'permit scope by its code', ok: true, mutate: (_f, r) => { company(r).operatingScope = ['bulky_cargo']; } },
  { type: 'permit-covers-scope', params: { ...C, permit: 'operating-permit', scope: ['大型物件'] }, name: 'no operating permit', ok: false, mutate: (_f, r) => { company(r).operatingPermitNo = null; }, detail: 'no operating permit' },
  { type: 'operating-permit-valid', params: C, name: 'valid until today', ok: true },
  { type: 'operating-permit-valid', params: C, name: 'expired yesterday', ok: false, mutate: (_f, r) => { company(r).operatingPermitValidUntil = YESTERDAY; }, detail: `valid until ${YESTERDAY}, before ${TODAY}` },
  { type: 'operating-permit-valid', params: { ...C, through: 'travelTo' }, name: 'valid through the last travel day', ok: true, mutate: (_f, r) => { company(r).operatingPermitValidUntil = '2026-03-11'; }, detail: 'needed through 2026-03-11' },
  { type: 'operating-permit-valid', params: { ...C, through: 'travelTo' }, name: 'expires the day before the last travel day', ok: false, mutate: (_f, r) => { company(r).operatingPermitValidUntil = '2026-03-10'; } },
  { type: 'operating-permit-valid', params: C, name: 'no permit number: none on record', ok: false, mutate: (_f, r) => { company(r).operatingPermitNo = null; }, detail: 'no road-transport operating permit on record' },
  { type: 'company-not-on-violation-list', params: C, name: 'not listed', ok: true },
  { type: 'company-not-on-violation-list', params: C, name: 'listed', ok: false, mutate: (_f, r) => { company(r).seriousViolation = true; }, detail: 'on the serious-violation list' },
  { type: 'insurance-valid', params: { holder: C.company }, name: 'valid until today', ok: true, detail: `济宁示例运输有限公司: until ${TODAY}` },
  { type: 'insurance-valid', params: { holder: C.company }, name: 'expired yesterday', ok: false, mutate: (_f, r) => { r.insurance.get(COMPANY)!.validUntil = YESTERDAY; } },
  { type: 'insurance-valid', params: { holder: C.company }, name: 'none on record', ok: false, mutate: (_f, r) => { r.insurance.get(COMPANY)!.validUntil = null; }, detail: 'none on record' },
  { type: 'insurance-valid', params: { holder: C.company }, name: 'holder in no register', ok: false, mutate: (_f, r) => r.insurance.clear(), detail: 'neither the company nor the school register' },
  { type: 'insurance-valid', params: { holder: C.company, declaredValidUntil: 'insuranceUntil' }, name: 'the record decides, the form date shown', ok: true, detail: '(the form says 2030-12-31)' },
  { type: 'insurance-valid', params: { holder: C.company, minCoverYuan: 400000 }, name: 'cover exactly the minimum', ok: true, mutate: (_f, r) => { r.insurance.get(COMPANY)!.coverYuan = 400000; } },
  { type: 'insurance-valid', params: { holder: C.company, minCoverYuan: 400000 }, name: 'cover a yuan under the minimum', ok: false, mutate: (_f, r) => { r.insurance.get(COMPANY)!.coverYuan = 399999; }, detail: 'cover 399999 yuan (minimum 400000)' },
  { type: 'insurance-valid', params: { holder: C.company, minCoverYuan: 400000 }, name: 'no cover on record', ok: false, detail: 'no cover amount on record' },
  // ---- vehicle ----
  { type: 'vehicle-registered-to-applicant', params: { ...V, owner: C.company, ownerName: 'applicant.name' }, name: "the applicant's own", ok: true, detail: 'registered to 济宁示例运输有限公司' },
  { type: 'vehicle-registered-to-applicant', params: { ...V, owner: C.company }, name: "another company's, named", ok: false, mutate: (_f, r) => { vehicle(r).ownerKey = OTHER; }, detail: 'registered to 济宁另一运输有限公司, not to the applicant' },
  { type: 'vehicle-registered-to-applicant', params: { ...V, owner: C.company }, name: 'not registered', ok: false, mutate: (_f, r) => r.vehicles.clear(), detail: 'not registered' },
  { type: 'inspection-valid', params: V, name: 'valid until today', ok: true },
  { type: 'inspection-valid', params: V, name: 'expired yesterday', ok: false, mutate: (_f, r) => { vehicle(r).inspectionValidUntil = YESTERDAY; } },
  { type: 'inspection-valid', params: V, name: 'not a date on record', ok: false, mutate: (_f, r) => { vehicle(r).inspectionValidUntil = '2026-02-30'; }, detail: 'is not a date' },
  { type: 'inspection-valid', params: V, name: 'no vehicle record', ok: false, mutate: (_f, r) => r.vehicles.clear() },
  { type: 'vehicle-licence-valid', params: V, name: 'valid until today', ok: true },
  { type: 'vehicle-licence-valid', params: V, name: 'none on record', ok: false, mutate: (_f, r) => { vehicle(r).drivingLicenceValidUntil = null; } },
  { type: 'road-transport-certificate-valid', params: V, name: 'valid until today', ok: true },
  { type: 'road-transport-certificate-valid', params: { ...V, through: 'travelTo' }, name: 'ends before the last travel day', ok: false },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'axles', max: 3 }, name: 'axles at the maximum', ok: true, detail: 'axles 3 on record (<= 3)' },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'axles', max: 2 }, name: 'one axle over the maximum', ok: false },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'seats', min: 2, max: 7 }, name: 'seats at the maximum', ok: true, mutate: (_f, r) => { vehicle(r).seats = 7; } },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'seats', min: 2, max: 7 }, name: 'one seat over (the register decides, not the form)', ok: false, mutate: (_f, r) => { vehicle(r).seats = 8; }, detail: 'seats 8 on record (2-7)' },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'seats', min: 2 }, name: 'one seat under the minimum', ok: false, mutate: (_f, r) => { vehicle(r).seats = 1; } },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'seats', max: 7 }, name: 'no seats on record', ok: false, detail: 'no seats on record' },
  { type: 'vehicle-within-bounds', params: { ...V, field: 'seats', max: 7 }, name: 'no vehicle record', ok: false, mutate: (_f, r) => r.vehicles.clear() },
  { type: 'vehicle-meets-standard', params: { ...V, standard: 'school-bus' }, name: 'recorded as meeting it', ok: true },
  { type: 'vehicle-meets-standard', params: { ...V, standard: 'school-bus' }, name: 'not recorded', ok: false, mutate: (_f, r) => { vehicle(r).meetsSchoolBusStandard = false; } },
  // ---- licence classes (附件1, GA 802-2019) ----
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'B2 drives a heavy truck', ok: true, detail: 'B2 held; 重型载货汽车 (18000 kg) needs B2' },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'A2 includes B2', ok: true, mutate: (_f, r) => { person(r).licenceClass = 'A2'; } },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'C1 on a heavy truck', ok: false, mutate: (_f, r) => { person(r).licenceClass = 'C1'; } },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'C1 on a 4,499 kg, 5,999 mm truck', ok: true, mutate: (_f, r) => { person(r).licenceClass = 'C1'; Object.assign(vehicle(r), { totalMassKg: 4499, lengthMm: 5999 }); }, detail: 'needs C1' },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'C1 on a 4,500 kg truck', ok: false, mutate: (_f, r) => { person(r).licenceClass = 'C1'; Object.assign(vehicle(r), { totalMassKg: 4500, lengthMm: 5999 }); }, detail: '中型载货汽车' },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'a light truck of unrecorded length', ok: false, mutate: (_f, r) => { person(r).licenceClass = 'B2'; Object.assign(vehicle(r), { totalMassKg: 3000, lengthMm: null }); }, detail: 'no recorded length' },
  { type: 'licence-covers-vehicle', params: { driver: 'drivers[*].idCard', vehicles: 'vehicles[*].plate' }, name: 'a fleet: plates grouped by need', ok: false, mutate: (_f, r) => { person(r).licenceClass = 'C1'; }, detail: `C1 held; ${PLATE}: 重型载货汽车 needs B2, not held` },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'no driver record', ok: false, mutate: (_f, r) => r.people.clear(), detail: 'no driver record' },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle }, name: 'no vehicle record', ok: false, mutate: (_f, r) => r.vehicles.clear(), detail: 'no vehicle record' },
  { type: 'licence-covers-vehicle', params: { driver: P.person, vehicles: V.vehicle, held: 'school-bus-endorsement' }, name: 'no school-bus endorsement', ok: false, detail: 'no school-bus endorsement' },
  {
    type: 'licence-covers-vehicle',
    params: { driver: P.person, vehicles: V.vehicle, held: 'school-bus-endorsement' },
    name: 'A1 endorsement on a 41-seat bus',
    ok: true,
    mutate: (_f, r) => { person(r).schoolBusEndorsement = 'A1'; Object.assign(vehicle(r), { seats: 41, lengthMm: 10400, totalMassKg: 15000 }); },
    detail: 'endorsed for school buses of class A1; 大型载客汽车 (41 occupants, 10400 mm long) needs A1',
  },
  {
    type: 'licence-covers-vehicle',
    params: { driver: P.person, vehicles: V.vehicle, held: 'school-bus-endorsement' },
    name: 'B1 endorsement on a 20-seat bus',
    ok: false,
    mutate: (_f, r) => { person(r).schoolBusEndorsement = 'B1'; Object.assign(vehicle(r), { seats: 20, lengthMm: 5990 }); },
  },
  // ---- people ----
  { type: 'driving-licence-valid', params: P, name: 'valid until today', ok: true },
  { type: 'driving-licence-valid', params: P, name: 'expired yesterday', ok: false, mutate: (_f, r) => { person(r).licenceValidUntil = YESTERDAY; } },
  { type: 'driving-licence-valid', params: P, name: 'no driver record', ok: false, mutate: (_f, r) => r.people.clear(), detail: 'no driver record' },
  { type: 'qualification-valid', params: { ...P, qualification: 'road-freight' }, name: 'valid until today', ok: true },
  { type: 'qualification-valid', params: { ...P, qualification: 'road-freight' }, name: 'none on record', ok: false, mutate: (_f, r) => { person(r).freightQualificationValidUntil = null; }, detail: 'no freight qualification on record' },
  { type: 'health-declaration-valid', params: P, name: 'valid until today', ok: true },
  { type: 'health-declaration-valid', params: P, name: 'expired yesterday', ok: false, mutate: (_f, r) => { person(r).healthDeclarationValidUntil = YESTERDAY; } },
  { type: 'age-within-bounds', params: { ...P, min: 25, max: 60 }, name: '60 today', ok: true, mutate: bornOn('19660302'), detail: 'age 60 (25-60)' },
  { type: 'age-within-bounds', params: { ...P, min: 25, max: 60 }, name: '61 today', ok: false, mutate: bornOn('19650302'), detail: 'age 61' },
  { type: 'age-within-bounds', params: { ...P, min: 25, max: 60 }, name: '60 until tomorrow', ok: true, mutate: bornOn('19650303') },
  { type: 'age-within-bounds', params: { ...P, min: 25, max: 60 }, name: '25 today', ok: true, mutate: bornOn('20010302') },
  { type: 'age-within-bounds', params: { ...P, min: 25, max: 60 }, name: '25 tomorrow', ok: false, mutate: bornOn('20010303'), detail: 'age 24' },
  { type: 'age-within-bounds', params: { ...P, max: 60, on: 'travelTo' }, name: '61 on the last travel day', ok: false, mutate: bornOn('19650311'), detail: 'on 2026-03-11' },
  { type: 'age-within-bounds', params: { ...P, max: 60 }, name: 'the birth date on record wins', ok: false, mutate: (_f, r) => { person(r).birthDate = '1960-01-01'; } },
  { type: 'age-within-bounds', params: { ...P, max: 60 }, name: 'an ID number with a wrong check character', ok: false, mutate: (f) => { f.driver.idCard = `${DRIVER.slice(0, 17)}${DRIVER.endsWith('0') ? '1' : '0'}`; }, detail: 'no valid birth date' },
  { type: 'driving-experience', params: { ...P, minYears: 3 }, name: '3 years', ok: true },
  { type: 'driving-experience', params: { ...P, minYears: 3 }, name: '2 years', ok: false, mutate: (_f, r) => { person(r).drivingYears = 2; }, detail: '2 years' },
  { type: 'no-full-points', params: { ...P, periods: 3 }, name: 'none', ok: true, detail: 'periods 2023-05-01 to 2024-04-30, 2024-05-01 to 2025-04-30, 2025-05-01 to 2026-04-30: none' },
  { type: 'no-full-points', params: { ...P, periods: 3 }, name: 'the day before the oldest period', ok: true, mutate: (_f, r) => { person(r).fullPointDates = ['2023-04-30']; } },
  { type: 'no-full-points', params: { ...P, periods: 3 }, name: 'the first day of the oldest period', ok: false, mutate: (_f, r) => { person(r).fullPointDates = ['2023-05-01']; }, detail: '2023-05-01 (period 2023-05-01 to 2024-04-30)' },
  { type: 'no-full-points', params: { ...P, periods: 1 }, name: 'one period only', ok: true, mutate: (_f, r) => { person(r).fullPointDates = ['2025-04-30']; } },
  { type: 'no-full-points', params: P, name: 'a record that is not a date', ok: false, mutate: (_f, r) => { person(r).fullPointDates = ['not a date']; }, detail: 'check the record' },
  { type: 'no-full-points', params: P, name: 'no first-issue date', ok: false, mutate: (_f, r) => { person(r).licenceFirstIssuedOn = null; }, detail: 'cannot be counted' },
  { type: 'no-serious-violations', params: { ...P, years: 1 }, name: 'a year and a day ago', ok: true, mutate: (_f, r) => { person(r).seriousViolations = [{ on: '2025-03-01', kind: '超员' }]; } },
  { type: 'no-serious-violations', params: { ...P, years: 1 }, name: 'exactly a year ago', ok: false, mutate: (_f, r) => { person(r).seriousViolations = [{ on: '2025-03-02', kind: '超员' }]; }, detail: '超员 on 2025-03-02' },
  { type: 'no-serious-violations', params: { ...P, years: 2 }, name: 'within two years', ok: false, mutate: (_f, r) => { person(r).seriousViolations = [{ on: '2024-03-02', kind: '超速' }]; } },
  { type: 'no-serious-violations', params: P, name: 'a date that is not a date', ok: false, mutate: (_f, r) => { person(r).seriousViolations = [{ on: '2026-02-30', kind: '超速' }]; } },
  { type: 'record-clear', params: { ...P, record: 'serious-accident' }, name: 'no accident liability', ok: true, detail: 'none on record' },
  { type: 'record-clear', params: { ...P, record: 'serious-accident' }, name: 'accident liability', ok: false, mutate: (_f, r) => { person(r).seriousAccident = true; }, detail: 'liability on record' },
  { type: 'record-clear', params: { ...P, record: 'drink-driving' }, name: 'drink-driving', ok: false, mutate: (_f, r) => { person(r).drinkDriving = true; } },
  { type: 'record-clear', params: { ...P, record: 'criminal' }, name: 'criminal record', ok: false, mutate: (_f, r) => { person(r).criminalRecord = true; } },
  { type: 'record-clear', params: { ...P, record: 'criminal' }, name: 'no record of the person', ok: false, mutate: (_f, r) => r.people.clear() },
  // ---- form declarations ----
  { type: 'declared-true', params: { value: 'safetyManagementSystem' }, name: 'declared', ok: true },
  { type: 'declared-true', params: { value: 'safetyManagementSystem' }, name: 'not declared', ok: false, mutate: (f) => { f.safetyManagementSystem = false; } },
  { type: 'declared-true', params: { value: 'safetyManagementSystem' }, name: "'yes' is not true", ok: false, mutate: (f) => { (f as Record<string, unknown>).safetyManagementSystem = 'yes'; } },
];

function run(row: Row) {
  const form = baseForm();
  const records = baseRecords();
  row.mutate?.(form, records);
  const type = CHECK_TYPES.get(row.type)!;
  const params = type.params.parse(row.params) as Record<string, unknown>;
  return runCheckType(type, params, 'check', { form, records, today: TODAY });
}

describe('check types', () => {
  it('every type passes and fails at least once in the table', () => {
    for (const type of CHECK_TYPE_NAMES) {
      const rows = ROWS.filter((r) => r.type === type);
      expect({ type, pass: rows.some((r) => r.ok), fail: rows.some((r) => !r.ok) }).toEqual({ type, pass: true, fail: true });
    }
  });

  it.each(ROWS.map((r) => [r.type, r.ok ? 'ok' : 'fails', r.name, r] as const))('%s %s: %s', (_type, _ok, _name, row) => {
    const findings = run(row);
    expect(findings).toHaveLength(1);
    expect({ ok: findings[0]!.ok, detail: findings[0]!.detail }).toEqual({ ok: row.ok, detail: expect.stringContaining(row.detail ?? '') });
    // Reports name people by name: never an ID number or a credit code.
    expect(findings[0]!.detail).not.toContain(DRIVER);
    expect(findings[0]!.detail).not.toContain(COMPANY);
  });

  it('every type documents what it compares, its source and a schema that refuses unknown parameters', () => {
    for (const [name, type] of CHECK_TYPES) {
      expect(type.compares.length).toBeGreaterThan(20);
      expect(type.source.length).toBeGreaterThan(3);
      expect(type.params.safeParse({ [type.over]: 'a.b', unexpected: 1 }).success).toBe(false);
      expect(name).toMatch(/^[a-z][a-z-]+$/);
    }
  });

  it('a list path gives one finding per entry, named by the entry; an empty list none; a missing single value fails', () => {
    const form = { ...baseForm(), vehicles: [{ plate: PLATE }, { plate: '鲁H19999' }] };
    const type = CHECK_TYPES.get('inspection-valid')!;
    const ctx = { form, records: baseRecords(), today: TODAY };
    expect(runCheckType(type, { vehicle: 'vehicles[*].plate' }, 'vehicle {plate} inspected', ctx)).toEqual([
      { check: `vehicle ${PLATE} inspected`, ok: true, detail: `inspection valid until ${TODAY}` },
      { check: 'vehicle 鲁H19999 inspected', ok: false, detail: 'not registered' },
    ]);
    expect(runCheckType(type, { vehicle: 'vehicles[*].plate' }, 'v {plate}', { ...ctx, form: { vehicles: [] } })).toEqual([]);
    expect(runCheckType(type, { vehicle: 'vehicle.plate' }, 'bus inspected', { ...ctx, form: {} })).toEqual([
      { check: 'bus inspected', ok: false, detail: 'the form has no value at vehicle.plate' },
    ]);
  });
});

// ---- A step's configuration ----

const FREIGHT_CHECKS: ConfiguredCheck[] = checksConfigSchema.parse([
  { id: 'C1', type: 'company-registered', params: { company: 'applicant.creditCode' } },
  { id: 'C2', type: 'business-licence-active', params: { company: 'applicant.creditCode' }, requires: ['C1'] },
  {
    id: 'D1',
    title: 'driver {name}',
    allOf: [
      { type: 'age-within-bounds', params: { person: 'drivers[*].idCard', max: 60 } },
      { type: 'driving-licence-valid', params: { person: 'drivers[*].idCard' } },
    ],
    basis: '道路运输条例 art. 22',
  },
]);

describe('configured checks', () => {
  it('runs in order, merges allOf into one finding per entry, skips a check whose requirement failed', () => {
    const records = baseRecords();
    const { findings, source } = runConfiguredChecks(FREIGHT_CHECKS, { form: baseForm(), records, today: TODAY });
    expect(findings.map((f) => [f.check, f.ok])).toEqual([
      ['registered', true],
      ['licence status', true],
      ['driver 张三', true],
    ]);
    expect(findings[2]!.detail).toBe(`age 46 (<= 60); driving licence valid until ${TODAY}`);
    expect(source).toContain('market-regulation register');
    expect(source).toContain('道路运输条例 art. 22');

    records.companies.clear();
    person(records).licenceValidUntil = YESTERDAY;
    const failed = runConfiguredChecks(FREIGHT_CHECKS, { form: baseForm(), records, today: TODAY }).findings;
    expect(failed.map((f) => [f.check, f.ok])).toEqual([
      ['registered', false],
      ['driver 张三', false],
    ]);
  });

  it('names each finding in Chinese too when the check has a titleZh, with the same placeholders filled', () => {
    const checks = checksConfigSchema.parse([
      { id: 'D1', title: 'driver {name}', titleZh: '驾驶员{name}', type: 'driving-licence-valid', params: { person: 'drivers[*].idCard' } },
      { id: 'C1', type: 'company-registered', params: { company: 'applicant.creditCode' } },
    ]);
    const { findings } = runConfiguredChecks(checks, { form: baseForm(), records: baseRecords(), today: TODAY });
    expect(findings.map((f) => [f.check, f.checkZh])).toEqual([
      ['driver 张三', '驾驶员张三'],
      ['registered', undefined],
    ]);
  });

  it('asks for exactly the records its paths address', () => {
    expect(recordsNeeded(FREIGHT_CHECKS, baseForm())).toEqual({ people: [DRIVER], vehicles: [], companies: [COMPANY], insurance: [] });
  });

  const step = (checks: unknown[], extra: Record<string, unknown> = {}) => {
    const parsed = checksConfigSchema.safeParse(checks);
    if (!parsed.success) throw new Error(parsed.error.message);
    return stepCheckIssues({ id: 'records', kind: 'automatic', check: 'records', checks: parsed.data, ...extra }, ['oversize-prereview']).map((i) => i.message);
  };

  it('accepts the example configuration', () => {
    expect(step(FREIGHT_CHECKS)).toEqual([]);
  });

  it.each([
    ['an unknown type', [{ id: 'X1', type: 'licence-matches', params: {} }], "step records, check X1 (licence-matches): unknown check type 'licence-matches' (known: company-registered"],
    ['a missing parameter', [{ id: 'X1', type: 'inspection-valid', params: {} }], 'step records, check X1 (inspection-valid): params.vehicle:'],
    ['an unknown parameter', [{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate', plate: 'x' } }], 'step records, check X1 (inspection-valid): params:'],
    ['a parameter of the wrong type', [{ id: 'X1', type: 'age-within-bounds', params: { person: 'driver.idCard', max: '60' } }], 'params.max:'],
    ['bounds the wrong way round', [{ id: 'X1', type: 'age-within-bounds', params: { person: 'driver.idCard', min: 61, max: 60 } }], 'min must not be above max'],
    ['a path that does not parse', [{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicles[].plate' } }], "params.vehicle: 'vehicles[].plate' is not a form path"],
    ['two [*] in one path', [{ id: 'X1', type: 'inspection-valid', title: 'v {plate}', params: { vehicle: 'a[*].b[*].plate' } }], 'more than one [*]'],
    ['a list without a distinguishing title', [{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicles[*].plate' } }, { id: 'X2', type: 'inspection-valid', title: 'inspected', params: { vehicle: 'vehicles[*].plate' } }], 'check X2 (inspection-valid): it gives one finding per entry of vehicles[*].plate'],
    ['a title naming the ID number', [{ id: 'X1', type: 'driving-licence-valid', title: 'licence of {idCard}', params: { person: 'drivers[*].idCard' } }], 'the title names {idCard}, the ID number'],
    ['a requirement that is not an earlier check', [{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate' }, requires: ['X2'] }], 'requires X2, which is not an earlier check'],
    ['a duplicate id', [{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate' } }, { id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate' } }], 'duplicate check id X1'],
    ['both type and allOf', [{ id: 'X1', type: 'inspection-valid', allOf: [{ type: 'a', params: {} }, { type: 'b', params: {} }] }], 'give either a type'],
    ['a Chinese title naming other fields than the title', [{ id: 'X1', type: 'inspection-valid', title: 'vehicle {plate}', titleZh: '车辆检验有效', params: { vehicle: 'vehicles[*].plate' } }], 'titleZh names {} where the title names {plate}'],
    ['allOf over different values', [{ id: 'X1', title: 'd {name}', allOf: [{ type: 'driving-licence-valid', params: { person: 'drivers[*].idCard' } }, { type: 'driving-licence-valid', params: { person: 'driver.idCard' } }] }], 'the parts read different values'],
  ])('refuses %s, naming the step and the check', (_name, checks, message) => {
    expect(step(checks).join('\n')).toContain(message);
  });

  it('refuses checks on a human step and a check name that is neither code nor configured', () => {
    expect(step(FREIGHT_CHECKS, { kind: 'human' })).toEqual(['step records: a human step runs no checks']);
    expect(stepCheckIssues({ id: 'records', kind: 'automatic', check: 'school-bus-conditions' }, ['oversize-prereview'])[0]!.message).toMatch(
      /^step records: check 'school-bus-conditions' is not a code check \(oversize-prereview\)/,
    );
    expect(stepCheckIssues({ id: 'prereview', kind: 'automatic', check: 'oversize-prereview' }, ['oversize-prereview'])).toEqual([]);
    expect(step(FREIGHT_CHECKS, { check: 'oversize-prereview' })).toEqual([
      "step records: 'oversize-prereview' is a code check; a step runs either a code check or library checks, so name its checks otherwise",
    ]);
  });

  it("checks paths and title fields against the form's JSON Schema, through $refs", () => {
    const schema = {
      type: 'object',
      properties: {
        drivers: { type: 'array', items: { $ref: '#/$defs/person' } },
        vehicle: { type: 'object', properties: { plate: { type: 'string' } } },
      },
      $defs: { person: { type: 'object', properties: { idCard: { type: 'string' }, name: { type: 'string' } } } },
    };
    const issues = (checks: unknown[]) =>
      stepCheckIssues({ id: 's', kind: 'automatic', check: 's', checks: checksConfigSchema.parse(checks) }, [], schema).map((i) => i.message);
    expect(issues([{ id: 'D1', type: 'driving-licence-valid', title: 'driver {name}', params: { person: 'drivers[*].idCard' } }])).toEqual([]);
    expect(issues([{ id: 'D1', type: 'driving-licence-valid', title: 'driver {nam}', params: { person: 'drivers[*].idCard' } }])).toEqual([
      'step s, check D1 (driving-licence-valid): the title names {nam}, which is neither a field of the form entry (idCard, name) nor a parameter',
    ]);
    expect(issues([{ id: 'D1', type: 'driving-licence-valid', title: 'd {name}', params: { person: 'drivers[*].idNumber' } }])).toEqual([
      "step s, check D1 (driving-licence-valid): params.person: 'drivers[*].idNumber': the form has no field drivers[*].idNumber",
    ]);
    expect(pathProblemsInSchema('vehicle[*].plate', schema)).toEqual(["'vehicle[*].plate': vehicle is not a list in the form"]);
  });
});

describe('form paths and days', () => {
  const form = { a: { b: 1 }, list: [{ x: 'p' }, { x: 'q' }, { y: 3 }] };
  it('resolves plain, indexed and [*] paths with their entries', () => {
    expect(resolveFormPath(form, 'a.b')).toEqual([{ value: 1, entry: { b: 1 }, index: 0 }]);
    expect(resolveFormPath(form, 'list[*].x').map((a) => [a.value, a.index])).toEqual([['p', 0], ['q', 1]]);
    expect(resolveFormPath(form, 'list[1].x').map((a) => a.value)).toEqual(['q']);
    expect(resolveFormPath(form, 'missing.x')).toEqual([]);
    expect(() => resolveFormPath(form, 'a..b')).toThrow(RangeError);
  });

  it('reads a date or an instant as the Shanghai day, and a later day only as the day documents must last', () => {
    expect(localDateOf('2026-03-11')).toBe('2026-03-11');
    expect(localDateOf('2026-03-10T16:00:00Z')).toBe('2026-03-11');
    expect(localDateOf('2026-03-10T15:59:59Z')).toBe('2026-03-10');
    expect(localDateOf('2026-03-11T00:30:00+08:00')).toBe('2026-03-11');
    expect(localDateOf('2026-03-11T00:30:00')).toBeUndefined();
    expect(localDateOf('2026-03-11T00:30:00+15:00')).toBeUndefined();
    expect(requiredThrough(TODAY, '2026-03-11T04:00:00+08:00')).toBe('2026-03-11');
    expect(requiredThrough(TODAY, '2026-03-01')).toBe(TODAY);
    expect(requiredThrough(TODAY, 'soon')).toBe(TODAY);
  });
});

describe('the JSON Schema editors validate checks with (data/schema/checks.schema.json)', () => {
  const file = path.resolve(__dirname, '../../data/schema/checks.schema.json');
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(file, 'utf8')) as object);

  it('is the library\'s own, regenerated (npx tsx scripts/checks-schema.ts)', () => {
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(checksJsonSchema());
  });

  it("accepts every committed step's checks and the example above", () => {
    const dir = path.resolve(__dirname, '../../data/services');
    const steps = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { review: { steps: { checks?: unknown }[] } }).review.steps)
      .filter((s) => s.checks !== undefined);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const s of [...steps.map((x) => x.checks), FREIGHT_CHECKS]) expect({ ok: validate(s), errors: validate.errors }).toEqual({ ok: true, errors: null });
  });

  it('refuses an unknown type and a parameter the type does not take', () => {
    expect(validate([{ id: 'X1', type: 'licence-matches', params: {} }])).toBe(false);
    expect(validate([{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate', plate: 'x' } }])).toBe(false);
    expect(validate([{ id: 'X1', type: 'inspection-valid', params: { vehicle: 'vehicle.plate' } }])).toBe(true);
  });
});
