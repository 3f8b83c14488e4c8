/**
 * Checks configured by data, end to end through the activity: a made-up service whose form names its fields its own
 * way configures three library checks on one step; `runAutomaticCheck` (MockActivityEnvironment, the workflow's own
 * call) finds the step's configuration by the case's service, reads the records of the test database's demo seed,
 * stores the report and returns the verdict. No code knows the service.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createCheckActivities } from '../../activities/checks';
import { checksConfigSchema, stepCheckIssues } from '../../domain/checks';
import { CODE_CHECKS, type AutomaticCheckResult, type ServiceDefinition } from '../../domain/types';
import { loadCheckReports } from '../../infra/repositories/check-reports';
import { DEMO } from '../../infra/db/seed';
import { openTestOrm } from '../helpers/harness';

let orm: MikroORM;
let seq = 0;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close();
});

/** The step as a definition file would carry it: the catalogue's own validation must accept it. */
const STEP = {
  id: 'driver-records',
  kind: 'automatic',
  check: 'truck-driver-records',
  checks: checksConfigSchema.parse([
    { id: 'L1', type: 'licence-covers-vehicle', title: 'licence covers the truck', params: { driver: 'driverInfo.idNo', vehicles: 'truck.plateNo' } },
    { id: 'A1', type: 'age-within-bounds', title: 'driver aged 21-60', params: { person: 'driverInfo.idNo', min: 21, max: 60 }, basis: 'made-up rule art. 1' },
    {
      id: 'O1',
      type: 'vehicle-registered-to-applicant',
      title: 'truck registered to the operator',
      params: { vehicle: 'truck.plateNo', owner: 'operator.creditCode', ownerName: 'operator.name' },
    },
  ]),
};
const MADE_UP = { code: 'TRUCKDRV', version: 3, review: { steps: [STEP] } } as unknown as ServiceDefinition;
const catalog = { get: (code: string) => (code === MADE_UP.code ? MADE_UP : undefined) };

function form(driver: { idCard: string; name: string }, plate: string = DEMO.vehicles.freight1) {
  return { operator: { creditCode: DEMO.newCompany.creditCode, name: DEMO.newCompany.name }, driverInfo: { idNo: driver.idCard, fullName: driver.name }, truck: { plateNo: plate } };
}

async function run(f: Record<string, unknown>, input: { check?: string; stepId?: string; definitionVersion?: number } = {}) {
  const caseNo = `JN-CONFIGURED-${process.pid}-${++seq}`;
  const now = new Date();
  await orm.em.fork().getConnection().execute(
    `insert into one_stop_case (case_no, service_code, definition_version, idempotency_key, request_hash, applicant_key,
       applicant_name, channel, status, form, accepted_at, updated_at)
     values (?, ?, ?, ?, 'x', 'x', 'x', 'online', 'in_review', ?, ?, ?)`,
    [caseNo, MADE_UP.code, input.definitionVersion ?? MADE_UP.version, caseNo, JSON.stringify(f), now, now],
  );
  const acts = createCheckActivities({ orm, catalog });
  const stepId = input.stepId ?? STEP.id;
  const result = (await new MockActivityEnvironment().run(acts.runAutomaticCheck, { caseNo, check: input.check ?? STEP.check, stepId })) as AutomaticCheckResult;
  const report = (await loadCheckReports(orm.em.fork(), caseNo)).get(stepId) as { source: string; findings: { check: string; ok: boolean; detail: string }[] };
  return { result, report };
}

describe('a made-up step with library checks, through runAutomaticCheck', () => {
  it('the catalogue would accept the configuration', () => {
    expect(stepCheckIssues(STEP, CODE_CHECKS)).toEqual([]);
  });

  it('passes a B2 driver of 46 on a heavy truck of the operator, and stores the report by reference', async () => {
    const { result, report } = await run(form(DEMO.drivers.freight));
    expect(result).toEqual({ verdict: 'pass', hardRefusal: false, reasons: [], report: expect.objectContaining({}) });
    expect(report.findings).toEqual([
      { check: 'licence covers the truck', ok: true, detail: 'B2 held; 重型载货汽车 (25000 kg, 9000 mm long) needs B2' },
      { check: 'driver aged 21-60', ok: true, detail: expect.stringMatching(/^age \d+ \(21-60\)$/) },
      { check: 'truck registered to the operator', ok: true, detail: `registered to ${DEMO.newCompany.name}` },
    ]);
    expect(report.source).toContain('made-up rule art. 1');
    expect(JSON.stringify(result)).not.toContain(DEMO.drivers.freight.idCard);
  });

  it('sends a C1 driver to a person, naming the class the truck needs', async () => {
    const { result, report } = await run(form(DEMO.drivers.freightC1Only));
    expect(result.verdict).toBe('needs_review');
    expect(result.reasons).toEqual(['licence covers the truck: C1 held; 重型载货汽车 (25000 kg, 9000 mm long) needs B2']);
    expect(report.findings.filter((f) => !f.ok).map((f) => f.check)).toEqual(['licence covers the truck']);
  });

  it('fails a driver over 60 and a truck of another company, by name', async () => {
    const { result, report } = await run(form(DEMO.drivers.tooOld, DEMO.vehicles.freightOtherOwner));
    expect(result.verdict).toBe('needs_review');
    expect(report.findings.filter((f) => !f.ok).map((f) => [f.check, f.detail])).toEqual([
      ['driver aged 21-60', expect.stringMatching(/^age 6\d \(21-60\)$/)],
      ['truck registered to the operator', `registered to ${DEMO.freightCompany.name}, not to the applicant`],
    ]);
    expect(JSON.stringify(report)).not.toContain(DEMO.freightCompany.creditCode);
  });

  it('a form without the values fails the findings for a person, never throws', async () => {
    const { result, report } = await run({ operator: { creditCode: DEMO.newCompany.creditCode } });
    expect(result.verdict).toBe('needs_review');
    expect(report.findings.map((f) => f.detail)).toEqual([
      'the form has no value at driverInfo.idNo',
      'the form has no value at driverInfo.idNo',
      'the form has no value at truck.plateNo',
    ]);
  });

  it('says when the case was accepted under another definition version', async () => {
    const { report } = await run(form(DEMO.drivers.freight), { definitionVersion: 2 });
    expect(report.source).toMatch(/checks of definition version 3; the case was accepted under version 2\)$/);
  });

  it('a step that configures no checks and names no code check is a definition error, not retried', async () => {
    await expect(run(form(DEMO.drivers.freight), { stepId: 'other', check: 'no-such-check' })).rejects.toMatchObject({
      type: 'InvalidServiceDefinition',
      nonRetryable: true,
    });
    // A name an object answers by inheritance is no code check either.
    await expect(run(form(DEMO.drivers.freight), { stepId: 'other', check: 'toString' })).rejects.toMatchObject({ type: 'InvalidServiceDefinition' });
  });
});

describe('the committed definitions, by step id and the default catalogue', () => {
  it('runs the freight step configured in data/services/freight-company.json', async () => {
    const freightCompanyForm = {
      applicant: { creditCode: DEMO.newCompany.creditCode, name: DEMO.newCompany.name },
      safetyManagementSystem: true,
      vehicles: [{ plate: DEMO.vehicles.freight1 }],
      drivers: [DEMO.drivers.freight],
    };
    const caseNo = `JN-CONFIGURED-${process.pid}-${++seq}`;
    const now = new Date();
    await orm.em.fork().getConnection().execute(
      `insert into one_stop_case (case_no, service_code, definition_version, idempotency_key, request_hash, applicant_key,
         applicant_name, channel, status, form, accepted_at, updated_at)
       values (?, 'FREIGHTCO', 1, ?, 'x', 'x', 'x', 'online', 'in_review', ?, ?, ?)`,
      [caseNo, caseNo, JSON.stringify(freightCompanyForm), now, now],
    );
    const acts = createCheckActivities({ orm });
    const result = (await new MockActivityEnvironment().run(acts.runAutomaticCheck, { caseNo, check: 'business-licence', stepId: 'licence-verification' })) as AutomaticCheckResult;
    const report = (await loadCheckReports(orm.em.fork(), caseNo)).get('licence-verification') as { findings: { check: string; ok: boolean }[] };
    expect(report.findings.map((f) => f.check)).toEqual([
      'registered',
      'licence status',
      'name matches',
      'scope covers road freight',
      `vehicle ${DEMO.vehicles.freight1} inspected`,
      `vehicle ${DEMO.vehicles.freight1} registered to the applicant`,
      `driver ${DEMO.drivers.freight.name}`,
      `driver ${DEMO.drivers.freight.name} licence class fits the vehicles`,
      'safety management system',
    ]);
    expect(result.verdict).toBe('pass');
  });
});
