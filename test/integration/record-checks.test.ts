/**
 * The school-bus and freight automatic checks against the records (issue 11, item 4), failing as well as passing:
 * each row submits a variant of the service's example, runs the check activity (MockActivityEnvironment) on the test
 * database with the demo seed, and compares the exact set of failing findings. The example itself must pass every rule.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createCheckActivities } from '../../activities/checks';
import { freightCompanyExample, schoolBusExample } from '../../api/schemas/examples';
import { idCardWithCheck } from '../../domain/identifiers';
import type { FreightCompanyForm, SchoolBusForm } from '../../domain/forms';
import type { AutomaticCheckKind, AutomaticCheckResult } from '../../domain/types';
import { loadCheckReports } from '../../infra/repositories/check-reports';
import { DEMO } from '../../infra/db/seed';
import { openTestOrm } from '../helpers/harness';

interface Finding {
  ok: boolean;
  check: string;
  detail: string;
}

let orm: MikroORM;
let seq = 0;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close();
});

/** Stores `form` as a case (the check reads the form from PostgreSQL), runs the check, returns its stored report. */
async function runCheck(serviceCode: string, check: AutomaticCheckKind, form: SchoolBusForm | FreightCompanyForm) {
  const caseNo = `JN-RECORDCHECK-${process.pid}-${++seq}`;
  const now = new Date();
  await orm.em.fork().getConnection().execute(
    `insert into one_stop_case (case_no, service_code, definition_version, idempotency_key, request_hash, applicant_key,
       applicant_name, channel, status, form, accepted_at, updated_at)
     values (?, ?, 1, ?, 'x', 'x', 'x', 'online', 'in_review', ?, ?, ?)`,
    [caseNo, serviceCode, caseNo, JSON.stringify(form), now, now],
  );
  const acts = createCheckActivities({ orm });
  const result = (await new MockActivityEnvironment().run(acts.runAutomaticCheck, { caseNo, check, stepId: 'check' })) as AutomaticCheckResult;
  const report = (await loadCheckReports(orm.em.fork(), caseNo)).get('check') as { source: string; findings: Finding[]; error?: string };
  return { result, report, failing: report.findings.filter((f) => !f.ok).map((f) => f.check) };
}

const everyIdNumber = [...Object.values(DEMO.drivers).map((d) => d.idCard), idCardWithCheck('37080219860101099')];

/** Shared expectations: the report keeps the shape the workbench renders, and names people but no ID numbers. */
function expectWellFormed(report: { source: string; findings: Finding[]; error?: string }) {
  expect(report.error).toBeUndefined(); // evaluated, not "could not be evaluated"
  // The shape the workbench renders; every committed check also names itself in Chinese (titleZh).
  for (const f of report.findings) expect(Object.keys(f).sort()).toEqual(['check', 'checkZh', 'detail', 'ok']);
  const text = JSON.stringify(report);
  for (const id of everyIdNumber) expect(text).not.toContain(id);
}

// ---- School bus (校车安全管理条例 arts. 14, 23-24) ----

const schoolBusForm = (): SchoolBusForm => schoolBusExample().form;
const d = DEMO.drivers;
const withDriver = (who: { idCard: string; name: string }) => (f: SchoolBusForm) => {
  f.driver = { idCard: who.idCard, name: who.name };
};
const UNKNOWN_PERSON = { idCard: idCardWithCheck('37080219860101099'), name: '未登记' };
const DRIVER_RULES = [
  'licence class fits the bus',
  '校车驾驶资格 held',
  'driving licence valid',
  'driving experience >= 3 years',
  'no full-point record in the last 3 scoring periods',
  'no liability for a fatal or serious-injury accident',
  'no drink-driving record',
  'no serious violation in the last year',
  'no criminal record',
  'health declaration valid',
];

const schoolBusRows: [string, (f: SchoolBusForm) => void, string[]][] = [
  ['the example (A1 driver endorsed for A1, insured carrier, its own bus)', () => {}, []],
  ['the form claims an expired insurance, the carrier record holds a valid one: the record decides', (f) => { f.liabilityInsuranceValidUntil = '2020-01-01'; }, []],
  ['a driver without 校车驾驶资格', withDriver(d.schoolBusUnendorsed), ['校车驾驶资格 held']],
  ['a driver with a serious violation 90 days ago', withDriver(d.schoolBusViolation), ['no serious violation in the last year']],
  ['a driver whose health declaration expired', withDriver(d.schoolBusHealthExpired), ['health declaration valid']],
  ['a driver who reached 12 points about 14 months ago', withDriver(d.schoolBusFullPoints), ['no full-point record in the last 3 scoring periods']],
  ['a B1 driver endorsed for B1 on a 41-seat bus (大型载客汽车 needs A1)', withDriver(d.schoolBusMidsizeOnly), ['licence class fits the bus', '校车驾驶资格 held']],
  [
    'a 66-year-old A2 driver without endorsement, with full points and an expired health declaration',
    withDriver(d.tooOld),
    ['licence class fits the bus', '校车驾驶资格 held', 'driver age 25-60', 'no full-point record in the last 3 scoring periods', 'health declaration valid'],
  ],
  ['a driver with no record at all', withDriver(UNKNOWN_PERSON), DRIVER_RULES],
  [
    'a carrier whose insurance lapsed (the form claims 2030), with its own bus',
    (f) => {
      f.carrier = { ...DEMO.lapsedCarrier };
      f.vehicle = { ...f.vehicle, plate: DEMO.vehicles.lapsedCarrierBus };
      f.liabilityInsuranceValidUntil = '2030-12-31';
    },
    ['carrier liability insurance'],
  ],
  ['a bus registered to another carrier', (f) => { f.carrier = { ...DEMO.lapsedCarrier }; }, ['vehicle registered to the carrier', 'carrier liability insurance']],
  ['a carrier in neither register', (f) => { f.carrier = { creditCode: DEMO.newCompany.creditCode.replace(/^91/, '92'), name: '未登记' }; }, ['vehicle registered to the carrier', 'carrier liability insurance']],
  [
    'a bus with no vehicle record',
    (f) => { f.vehicle = { ...f.vehicle, plate: '鲁H39999' }; },
    ['vehicle meets the school-bus standard', 'vehicle inspected', 'vehicle registered to the carrier', 'licence class fits the bus', '校车驾驶资格 held'],
  ],
];

describe('school-bus conditions from records', () => {
  it.each(schoolBusRows)('%s', async (_name, mutate, expectedFailing) => {
    const form = schoolBusForm();
    mutate(form);
    const { result, report, failing } = await runCheck('SCHOOLBUS', 'school-bus-conditions', form);
    expectWellFormed(report);
    expect(failing.sort()).toEqual([...expectedFailing].sort());
    expect(result.verdict).toBe(expectedFailing.length === 0 ? 'pass' : 'needs_review');
    expect(result.hardRefusal).toBe(false);
    expect(result.reasons).toHaveLength(expectedFailing.length);
  });

  it('reports what each rule compared: the class the bus needs, the endorsement, the periods, the violation, the insurer', async () => {
    const pass = await runCheck('SCHOOLBUS', 'school-bus-conditions', schoolBusForm());
    const detail = (r: typeof pass, prefix: string) => r.report.findings.find((f) => f.check.startsWith(prefix))!.detail;
    expect(detail(pass, 'licence class')).toBe('A1 held; 大型载客汽车 (41 occupants, 10400 mm long) needs A1');
    expect(detail(pass, '校车驾驶资格')).toMatch(/^endorsed for school buses of class A1/);
    expect(detail(pass, 'no full-point')).toMatch(/^periods \d{4}-03-15 to \d{4}-03-14, \d{4}-03-15 to \d{4}-03-14, \d{4}-03-15 to \d{4}-03-14: none$/);
    expect(detail(pass, 'carrier liability')).toBe(`${DEMO.schoolBusCarrier.name}: until 2030-12-31`);

    const form = schoolBusForm();
    form.driver = { ...d.schoolBusViolation };
    const failed = await runCheck('SCHOOLBUS', 'school-bus-conditions', form);
    expect(detail(failed, 'no serious violation')).toMatch(/^驾驶客运车辆超速 on \d{4}-\d{2}-\d{2}$/);
    expect(failed.result.reasons).toEqual([expect.stringMatching(/^no serious violation in the last year: 驾驶客运车辆超速 on /)]);
  });

  it('a record with missing and malformed data fails its findings for a person, never throws', async () => {
    const odd = { idCard: idCardWithCheck('37080219900303098'), name: '记录残缺' };
    await orm.em.fork().getConnection().execute(
      `insert into person (id_card, name, licence_class, full_point_dates, serious_violations) values (?, ?, null, ?, ?) on conflict do nothing`,
      [odd.idCard, odd.name, JSON.stringify(['not a date']), JSON.stringify([{ on: '2026-02-30', kind: '超员' }])],
    );
    const form = schoolBusForm();
    form.driver = odd;
    const { result, report, failing } = await runCheck('SCHOOLBUS', 'school-bus-conditions', form);
    expect(report.error).toBeUndefined();
    expect(result.verdict).toBe('needs_review');
    expect(failing.sort()).toEqual(
      ['licence class fits the bus', '校车驾驶资格 held', 'driving licence valid', 'driving experience >= 3 years', 'no full-point record in the last 3 scoring periods', 'no serious violation in the last year', 'health declaration valid'].sort(),
    );
    expect(report.findings.find((f) => f.check.startsWith('no full-point'))!.detail).toBe('no first-issue date on record: the scoring periods cannot be counted');
    expect(JSON.stringify(report)).not.toContain(odd.idCard);
  });
});

// ---- Freight company (道路运输条例; 道路货物运输及站场管理规定 arts. 6, 8) ----

const freightForm = (): FreightCompanyForm => freightCompanyExample().form;
const freightRows: [string, (f: FreightCompanyForm) => void, string[]][] = [
  ['the example (a B2 driver, two heavy trucks registered to the applicant)', () => {}, []],
  ['an A2 driver added (A2 includes B2)', (f) => { f.drivers.push({ ...d.heavy }); }, []],
  ['a C1-only driver added (重型载货汽车 needs B2)', (f) => { f.drivers.push({ ...d.freightC1Only }); }, [`driver ${d.freightC1Only.name} licence class fits the vehicles`]],
  [
    'a truck registered to another company added',
    (f) => { f.vehicles.push({ plate: DEMO.vehicles.freightOtherOwner, totalMassKg: 18000, axles: 2 }); },
    [`vehicle ${DEMO.vehicles.freightOtherOwner} registered to the applicant`],
  ],
  ['a driver with no record', (f) => { f.drivers = [{ ...UNKNOWN_PERSON }]; }, [`driver ${UNKNOWN_PERSON.name}`, `driver ${UNKNOWN_PERSON.name} licence class fits the vehicles`]],
  [
    'a vehicle with no record',
    (f) => { f.vehicles.push({ plate: '鲁H19999', totalMassKg: 18000, axles: 2 }); },
    ['vehicle 鲁H19999 inspected', 'vehicle 鲁H19999 registered to the applicant', `driver ${d.freight.name} licence class fits the vehicles`],
  ],
  ['the school-bus carrier\'s bus as a freight vehicle (大型载客汽车 needs A1)', (f) => { f.vehicles = [{ plate: DEMO.vehicles.schoolBus, totalMassKg: 12000, axles: 2 }]; }, [
    `vehicle ${DEMO.vehicles.schoolBus} registered to the applicant`,
    `driver ${d.freight.name} licence class fits the vehicles`,
  ]],
];

describe('freight company: drivers against vehicles, vehicles against the applicant', () => {
  it.each(freightRows)('%s', async (_name, mutate, expectedFailing) => {
    const form = freightForm();
    mutate(form);
    const { result, report, failing } = await runCheck('FREIGHTCO', 'business-licence', form);
    expectWellFormed(report);
    expect(failing.sort()).toEqual([...expectedFailing].sort());
    expect(result.verdict).toBe(expectedFailing.length === 0 ? 'pass' : 'needs_review');
  });

  it('says which vehicles a driver may not drive and whose a vehicle is, by name', async () => {
    const form = freightForm();
    form.drivers.push({ ...d.freightC1Only });
    form.vehicles.push({ plate: DEMO.vehicles.freightOtherOwner, totalMassKg: 18000, axles: 2 });
    const { report } = await runCheck('FREIGHTCO', 'business-licence', form);
    const detail = (check: string) => report.findings.find((f) => f.check === check)!.detail;
    expect(detail(`driver ${d.freightC1Only.name} licence class fits the vehicles`)).toBe(
      `C1 held; ${DEMO.vehicles.freight1}, ${DEMO.vehicles.freight2}, ${DEMO.vehicles.freightOtherOwner}: 重型载货汽车 needs B2, not held`,
    );
    expect(detail(`driver ${d.freight.name} licence class fits the vehicles`)).toBe(
      `B2 held; ${DEMO.vehicles.freight1}, ${DEMO.vehicles.freight2}, ${DEMO.vehicles.freightOtherOwner}: 重型载货汽车 needs B2`,
    );
    expect(detail(`vehicle ${DEMO.vehicles.freightOtherOwner} registered to the applicant`)).toBe(`registered to ${DEMO.freightCompany.name}, not to the applicant`);
    expect(JSON.stringify(report)).not.toContain(DEMO.freightCompany.creditCode);
  });
});
