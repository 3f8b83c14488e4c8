/**
 * A new one-stop service is one data file (issue 15): a made-up fifth service, written to a temporary folder with a
 * city file that adds its department (a port authority), is loaded as a catalogue beside the committed one and runs
 * end to end on the real stack (API, worker, Temporal, PostgreSQL) with no code of its own: its form (JSON Schema with
 * the platform's formats, if/then, dependentRequired and a cross-field rule) validates the submission and names the
 * failing fields, its example is served and accepted, the OpenAPI document names its form, reviewers of the new
 * department decide its first step, and the case completes with its signed certificate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO } from '../../infra/db/seed';
import { DEFAULT_CATALOG_SOURCES, loadServiceCatalog } from '../../infra/services/catalog';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

const bilingual = (zh: string, en: string) => ({ zh, en });
const escalate = {
  document: '中华人民共和国行政许可法',
  article: 'art. 42 para. 1; art. 60',
  note: 'Made up for this test: no provision deems silence consent, so the limit escalates.',
};

/** The made-up service: a harbour berth permit reviewed by the port authority (new) and transport. */
const berthService = {
  $schema: '../schema/service-definition.schema.json',
  code: 'BERTHX',
  version: 1,
  name: bilingual('港口临时靠泊许可一件事（测试）', 'Temporary berth permit (test service)'),
  caseNumberPrefix: 'JN-BERTHX',
  form: 'berth-permit',
  formSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    'x-title': bilingual('临时靠泊申请表', 'Temporary berth application'),
    required: ['applicant', 'vessel', 'master', 'berthFrom', 'berthTo', 'hazardousCargo'],
    properties: {
      applicant: {
        'x-title': bilingual('申请人', 'Applicant'),
        type: 'object',
        required: ['creditCode', 'name'],
        properties: {
          creditCode: { type: 'string', format: 'credit-code', 'x-title': bilingual('统一社会信用代码', 'Unified social credit code') },
          name: { $ref: '#/$defs/text', 'x-title': bilingual('名称', 'Name') },
        },
      },
      vessel: {
        'x-title': bilingual('船舶', 'Vessel'),
        type: 'object',
        required: ['name', 'lengthMm', 'draughtMm'],
        properties: {
          name: { $ref: '#/$defs/text', 'x-title': bilingual('船名', 'Name') },
          lengthMm: { type: 'integer', minimum: 5000, maximum: 400000, 'x-title': bilingual('船长（毫米）', 'Length (mm)') },
          draughtMm: { type: 'integer', exclusiveMinimum: 0, maximum: 25000, 'x-title': bilingual('吃水（毫米）', 'Draught (mm)') },
        },
      },
      master: { type: 'string', format: 'id-card', 'x-title': bilingual('船长公民身份号码', "Master's ID number") },
      berthFrom: { type: 'string', format: 'date-time', 'x-title': bilingual('靠泊开始', 'Berth from') },
      berthTo: { type: 'string', format: 'date-time', 'x-title': bilingual('靠泊结束', 'Berth to') },
      hazardousCargo: { type: 'boolean', 'x-title': bilingual('载运危险货物', 'Hazardous cargo') },
      hazardClass: { type: 'string', enum: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], 'x-title': bilingual('危险货物类别', 'Hazard class') },
      pilot: { type: 'string', format: 'id-card', 'x-title': bilingual('引航员公民身份号码', "Pilot's ID number") },
      pilotBoardingAt: { type: 'string', format: 'date-time', 'x-title': bilingual('引航员登轮时间', 'Pilot boards at') },
    },
    // Hazardous cargo names its class (if/then); a pilot named says when they board (dependentRequired).
    if: { properties: { hazardousCargo: { const: true } }, required: ['hazardousCargo'] },
    then: { required: ['hazardClass'] },
    dependentRequired: { pilot: ['pilotBoardingAt'] },
    $defs: { text: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', 'x-messages': { pattern: 'must not be blank' } } },
  },
  formRules: [{ field: 'berthTo', op: '>', compareTo: [{ field: 'berthFrom' }], message: 'the berth must end after it starts' }],
  example: {
    serviceCode: 'BERTHX',
    channel: 'online',
    scenarioAnswers: {},
    materials: [{ material: 'application-form', reference: 'upload:berth-form-1' }],
    form: {
      applicant: { creditCode: DEMO.heavyCarrier.creditCode, name: DEMO.heavyCarrier.name },
      vessel: { name: '济宁号', lengthMm: 68000, draughtMm: 3200 },
      master: DEMO.drivers.heavy.idCard,
      berthFrom: '{{today+3}}T08:00:00+08:00',
      berthTo: '{{today+5}}T18:00:00+08:00',
      hazardousCargo: false,
    },
  },
  items: [
    { code: 'berth-permit', name: bilingual('港口临时靠泊许可', 'Temporary berth permit'), department: 'port_authority' },
    { code: 'waterway-opinion', name: bilingual('航道意见', 'Waterway opinion'), department: 'transport' },
  ],
  departments: ['port_authority', 'transport'],
  scenarios: [],
  materials: [{ id: 'application-form', name: bilingual('靠泊申请表', 'Application form') }],
  baseMaterials: ['application-form'],
  review: {
    caseLimitWorkingDays: 3,
    fastTrackWhenAllPass: false,
    steps: [
      {
        id: 'port-review',
        name: bilingual('港口管理局审查', 'Port authority review'),
        department: 'port_authority',
        kind: 'human',
        after: [],
        limitWorkingDays: 2,
        onLimit: 'escalate',
        mandatory: true,
        legalBasis: { limit: { document: '中华人民共和国港口法', article: 'art. 22 (made up for this test)' }, onLimit: escalate },
      },
      {
        id: 'transport-opinion',
        name: bilingual('交通运输局航道意见', 'Transport waterway opinion'),
        department: 'transport',
        kind: 'human',
        after: ['port-review'],
        limitWorkingDays: 1,
        onLimit: 'escalate',
        mandatory: true,
        legalBasis: { limit: { document: '中华人民共和国航道法', article: 'art. 28 (made up for this test)' }, onLimit: escalate },
      },
    ],
  },
  certificates: [
    {
      type: 'berth-permit',
      name: bilingual('港口临时靠泊许可证', 'Temporary berth permit'),
      perVehicle: false,
      validityMonths: 1,
      authority: bilingual('济宁市港口管理局', 'Jining Port Authority'),
      department: 'port_authority',
      fields: ['applicant.name', 'vessel.name', 'vessel.lengthMm', 'berthFrom', 'berthTo'],
    },
  ],
};

const cityAddition = {
  $schema: '../schema/city-departments.schema.json',
  departments: [{ code: 'port_authority', name: bilingual('港口管理局', 'Port Authority'), parent: 'government_office' }],
};

let dir: string;
let api: ApiHarness;
const portal = portalToken('portal-system');
const reviewer = (d: Department) => token('reviewer', d, `${d}-berth`);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-service-as-data-'));
  fs.mkdirSync(path.join(dir, 'services'));
  fs.writeFileSync(path.join(dir, 'services', 'berth-permit.json'), JSON.stringify(berthService, null, 2));
  fs.writeFileSync(path.join(dir, 'ports.json'), JSON.stringify(cityAddition, null, 2));
  const catalog = loadServiceCatalog({
    servicesDirs: [...DEFAULT_CATALOG_SOURCES.servicesDirs, path.join(dir, 'services')],
    cityFiles: [...DEFAULT_CATALOG_SOURCES.cityFiles, path.join(dir, 'ports.json')],
  });
  api = await startApi({ catalog });
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openTask(dept: Department, caseNo: string, stepId: string) {
  return waitFor(`${stepId} in the ${dept} queue`, async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

describe('a service added as data, with a new department', () => {
  it('is in the catalogue and the OpenAPI document, with its form named and its department named', async () => {
    const service = await api.call('GET', '/services/BERTHX', { token: portal });
    expect(service.status).toBe(200);
    expect(service.body.departments).toEqual([
      { code: 'port_authority', name: { zh: '港口管理局', en: 'Port Authority' } },
      { code: 'transport', name: { zh: '交通运输局', en: 'Transport Bureau' } },
    ]);
    expect(service.body.example.form.berthFrom).toMatch(/^\d{4}-\d{2}-\d{2}T08:00:00\+08:00$/);
    const schemas = (api.openapi.components as { schemas: Record<string, { properties?: Record<string, unknown>; anyOf?: { $ref: string }[] }> }).schemas;
    expect(schemas.BerthPermitForm?.properties?.master).toMatchObject({ type: 'string', format: 'id-card' });
    expect(schemas.ServiceForm?.anyOf).toContainEqual({ $ref: '#/components/schemas/BerthPermitForm' });
    expect(schemas.CaseForm?.anyOf).toContainEqual({ $ref: '#/components/schemas/BerthPermitCaseForm' });
  });

  it('refuses a bad form with every failing field named: a check digit, if/then, dependentRequired, a cross-field rule', async () => {
    const example = (await api.call('GET', '/services/BERTHX', { token: portal })).body.example;
    const bad = structuredClone(example);
    bad.form.master = `${bad.form.master.slice(0, -1)}${bad.form.master.endsWith('1') ? '2' : '1'}`;
    bad.form.hazardousCargo = true;
    bad.form.pilot = DEMO.drivers.freight.idCard;
    bad.form.vessel.wings = 2;
    const r = await api.call('POST', '/cases', { token: portal, body: bad, headers: { 'Idempotency-Key': 'berth-bad-0001' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'body.form.hazardClass',
      'body.form.master',
      'body.form.pilotBoardingAt',
      'body.form.vessel.wings',
    ]);
    const late = structuredClone(example);
    late.form.berthTo = late.form.berthFrom;
    const r2 = await api.call('POST', '/cases', { token: portal, body: late, headers: { 'Idempotency-Key': 'berth-bad-0002' } });
    expect(r2.status).toBe(400);
    expect(r2.body.error.details).toEqual([{ path: 'body.form.berthTo', message: expect.stringMatching(/^the berth must end after it starts/) }]);
  });

  it('runs end to end: the new department and transport approve, the case completes with its signed certificate', async () => {
    const example = (await api.call('GET', '/services/BERTHX', { token: portal })).body.example;
    const submitted = await api.call('POST', '/cases', { token: portal, body: example, headers: { 'Idempotency-Key': 'berth-flow-0001' } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;
    expect(caseNo).toMatch(/^JN-BERTHX-\d{8}-\d{6}$/);

    // Only the new department sees the first step; transport's step opens after it.
    const first = await openTask('port_authority', caseNo, 'port-review');
    expect((await claimAndDecide(api, reviewer('port_authority'), first.taskId, caseNo, 'port-review')).status).toBe(202);
    const second = await openTask('transport', caseNo, 'transport-opinion');
    expect((await claimAndDecide(api, reviewer('transport'), second.taskId, caseNo, 'transport-opinion')).status).toBe(202);

    const done = await waitFor('completion with the certificate', async () => {
      const c = await api.call('GET', `/cases/${caseNo}`, { token: portal });
      return c.body.status === 'completed' && c.body.certificates.length === 1 ? c.body : undefined;
    });
    expect(done.steps.map((s: { id: string; department: string; status: string }) => [s.id, s.department, s.status])).toEqual([
      ['port-review', 'port_authority', 'approved'],
      ['transport-opinion', 'transport', 'approved'],
    ]);
    const no = done.certificates[0].no as string;
    const cert = await api.call('GET', `/certificates/${no}`, { token: portal });
    expect(cert.status).toBe(200);
    expect(cert.body).toMatchObject({ type: 'berth-permit' });
    expect(cert.body.fields).toMatchObject({ 'applicant.name': DEMO.heavyCarrier.name, 'vessel.name': '济宁号', 'vessel.lengthMm': 68000 });
    expect((await api.call('GET', `/certificates/${no}/verify`)).body).toMatchObject({ status: 'valid', signatureValid: true });
  });
});
