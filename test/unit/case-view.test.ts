/** The personal-data policy: who sees a case, who sees it in clear, and what the masks leave. */
import { schoolBusExample, freightCompanyExample, oversizeCargoExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import { actorLabel, type Caller } from '../../infra/repositories/caller';
import { caseRelation, casePurpose, maskPersonalData, maskSteps, personalSubjects, seesPersonalData } from '../../infra/repositories/case-view';

const CASE = { portalClientId: 'city-portal', applicantKey: DEMO.school.creditCode, applicantSubject: DEMO.school.creditCode };
const portal = (clientId: string, applicant?: string): Caller => ({ sub: clientId, role: 'portal', clientId, ...(applicant ? { applicant } : {}) });

describe('caseRelation', () => {
  it.each([
    ['the submitting portal asserting the applicant', portal('city-portal', DEMO.school.creditCode), false, 'data_subject'],
    ['the submitting portal without an applicant', portal('city-portal'), false, 'owning_portal'],
    ['the submitting portal asserting someone else', portal('city-portal', DEMO.freightCompany.creditCode), false, 'owning_portal'],
    ['another portal asserting the authenticated applicant', portal('county-portal', DEMO.school.creditCode), false, 'data_subject'],
    ['another portal', portal('county-portal'), false, undefined],
    ['another portal asserting someone else', portal('county-portal', DEMO.freightCompany.creditCode), false, undefined],
    ['a reviewer whose department has a task', { sub: 'edu-01', role: 'reviewer', department: 'education' }, true, 'deciding_reviewer'],
    ['a reviewer whose department has none yet', { sub: 'ps-01', role: 'reviewer', department: 'public_security' }, false, undefined],
    ['ops', { sub: 'ops-1', role: 'ops' }, false, 'ops'],
  ] as [string, Caller, boolean, string | undefined][])('%s', (_name, caller, hasTask, expected) => {
    expect(caseRelation(caller, CASE, hasTask)).toBe(expected);
  });

  it('an applicant named in the form but never authenticated at submission does not open another portal’s case', () => {
    expect(caseRelation(portal('county-portal', DEMO.school.creditCode), { ...CASE, applicantSubject: null }, false)).toBeUndefined();
  });

  it('personal data in clear only for the data subject and the deciding reviewers', () => {
    expect(['data_subject', 'deciding_reviewer', 'owning_portal', 'ops'].filter((r) => seesPersonalData(r as never))).toEqual(['data_subject', 'deciding_reviewer']);
    expect(casePurpose('deciding_reviewer', 'police-opinion')).toBe('review of step police-opinion');
  });
});

describe('maskPersonalData', () => {
  it('masks the school-bus driver, stops and departure times; keeps organisations, the vehicle and the route name', () => {
    const form = schoolBusExample().form;
    const masked = maskPersonalData(form);
    expect(masked.driver.idCard).toBe(`${form.driver.idCard.slice(0, 4)}**********${form.driver.idCard.slice(-4)}`);
    expect(masked.driver.name).toBe(`${[...form.driver.name][0]}*`);
    expect(masked.route.stops).toEqual(form.route.stops.map(() => '***'));
    expect(masked.route.departureTimes).toEqual(['***', '***']);
    expect(masked.route.name).toBe(form.route.name);
    expect(masked.applicant).toEqual(form.applicant);
    expect(masked.carrier).toEqual(form.carrier);
    expect(masked.vehicle).toEqual(form.vehicle);
    expect(form.driver.idCard).toBe(DEMO.drivers.schoolBus.idCard); // a copy: the input is untouched
  });

  it('masks drivers, the contact phone and the legal representative of a freight company', () => {
    const form = freightCompanyExample().form;
    const masked = maskPersonalData(form);
    expect(masked.applicant.contactPhone).toBe('138****0000');
    expect(masked.applicant.legalRepresentative).toBe('钱*');
    expect(masked.applicant.name).toBe(form.applicant.name);
    expect(masked.applicant.creditCode).toBe(form.applicant.creditCode);
    expect(masked.drivers[0]!.idCard).not.toContain(form.drivers[0]!.idCard.slice(6, 14)); // the birth date is gone
    expect(masked.drivers[0]!.name).toBe('张*');
    expect(masked.vehicles).toEqual(form.vehicles); // the company's vehicles identify no person
  });

  it('masks the oversize driver and escort staff', () => {
    const form = { ...oversizeCargoExample(Date.parse('2026-11-26T10:00:00+08:00')).form, escortStaff: ['王小明', '李雷'] };
    const masked = maskPersonalData(form);
    expect(masked.driverIdCard).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(masked.escortStaff).toEqual(['王**', '李*']);
    expect(masked.cargo).toEqual(form.cargo);
  });

  it('masks the plate and the owner of a vehicle a person owns, not of one a company owns', () => {
    const person = { plate: '鲁H88888', ownerKey: DEMO.drivers.freight.idCard, kind: 'car' };
    const company = { plate: '鲁H10001', ownerKey: DEMO.newCompany.creditCode, kind: 'heavy-truck' };
    expect(maskPersonalData([person, company])).toEqual([
      { plate: '鲁H***88', ownerKey: expect.stringMatching(/^3708\*+/), kind: 'car' },
      company,
    ]);
  });

  it('leaves no ID number or phone of the seed in a masked form (serialised)', () => {
    const text = JSON.stringify([schoolBusExample().form, freightCompanyExample().form, oversizeCargoExample().form].map((f) => maskPersonalData(f)));
    for (const d of Object.values(DEMO.drivers)) {
      expect(text).not.toContain(d.idCard);
      expect(text).not.toContain(d.name);
    }
    expect(text).not.toContain('13800000000');
  });
});

describe('personalSubjects and actorLabel', () => {
  it('finds the ID numbers of the persons in a form', () => {
    expect([...personalSubjects(freightCompanyExample().form)]).toEqual([DEMO.drivers.freight.idCard]);
    expect([...personalSubjects(oversizeCargoExample().form)]).toEqual([DEMO.drivers.heavy.idCard]);
  });

  it('names the real caller, masking a resident ID number', () => {
    expect(actorLabel(portal('city-portal', DEMO.school.creditCode))).toBe(`portal:city-portal for ${DEMO.school.creditCode}`);
    expect(actorLabel(portal('city-portal', DEMO.drivers.freight.idCard))).not.toContain(DEMO.drivers.freight.idCard);
    expect(actorLabel({ sub: 'ops-1', role: 'ops' })).toBe('ops:ops-1');
  });
});

describe('maskSteps', () => {
  it('keeps a check’s verdict, drops its report and reasons, masks the rest', () => {
    const steps = [
      { id: 'education-acceptance', status: 'open', check: { verdict: 'needs_review', hardRefusal: false, reasons: ['driver record clean: criminal record'], report: { findings: [] } } },
      { id: 'police-opinion', status: 'waiting' },
    ];
    expect(maskSteps(steps)).toEqual([
      { id: 'education-acceptance', status: 'open', check: { verdict: 'needs_review', hardRefusal: false } },
      { id: 'police-opinion', status: 'waiting' },
    ]);
  });
});
