/**
 * The workbench renders any service's form from its definition (issue 15 item 5): no page code knows a service's
 * fields. A made-up service, written to a temporary folder and loaded as a catalogue beside the committed one, shows
 * its submitted form on the case page with the Chinese titles of its form schema (through `$ref`s into `$defs`, array
 * items and nested objects), in the schema's order, its enumerated values by their titles, a unit taken from the field
 * name when the title lacks it; the certificate's print view, and its public verification page with no sign-in, title
 * its signed fields from the same schema. The school-bus case page is held to its committed definition's titles too,
 * and the fourth service, RIDEHAIL (added as data only), goes through the workbench: its form shown with its
 * definition's titles, its first step decided in the pages, and its two certificates listed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO } from '../../infra/db/seed';
import { DEFAULT_CATALOG_SOURCES, loadServiceCatalog } from '../../infra/services/catalog';
import { startBrowserRun, type BrowserRun, type TestPage } from '../helpers/browser';
import { approveByApi, caseReaches, confirmDialog, openAndClaim, openLinkName, openTask, portal, signInAsReviewer, stepNames, stepReaches, submitSchoolBus, zh } from './flows';

const bilingual = (zh: string, en: string) => ({ zh, en });

/** A made-up service (an agricultural drone operation filing), reviewed by transport alone; human steps only. */
const droneService = {
  $schema: '../schema/service-definition.schema.json',
  code: 'DRONEX',
  version: 1,
  name: bilingual('植保无人机作业备案一件事（测试）', 'Crop-spraying drone filing (test service)'),
  caseNumberPrefix: 'JN-DRONEX',
  form: 'drone-filing',
  formSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    'x-title': bilingual('作业备案表', 'Operation filing'),
    required: ['applicant', 'aircraft', 'pilots', 'operationFrom', 'nightOperation'],
    properties: {
      applicant: { $ref: '#/$defs/organisation', 'x-title': bilingual('作业单位', 'Operator') },
      aircraft: {
        'x-title': bilingual('航空器', 'Aircraft'),
        type: 'object',
        required: ['serialNo', 'takeoffMassKg', 'category'],
        properties: {
          serialNo: { $ref: '#/$defs/text', 'x-title': bilingual('产品序列号', 'Serial number') },
          // No unit in the title: the page adds the one the field name carries.
          takeoffMassKg: { type: 'integer', exclusiveMinimum: 0, maximum: 150, 'x-title': bilingual('最大起飞质量', 'Maximum take-off mass') },
          category: {
            type: 'string',
            enum: ['micro', 'light', 'small'],
            'x-title': bilingual('类别', 'Category'),
            'x-enumTitles': { micro: bilingual('微型', 'Micro'), light: bilingual('轻型', 'Light'), small: bilingual('小型', 'Small') },
          },
        },
      },
      pilots: { type: 'array', minItems: 1, maxItems: 5, items: { $ref: '#/$defs/person' }, 'x-title': bilingual('操控员', 'Pilots') },
      operationFrom: { type: 'string', format: 'date-time', 'x-title': bilingual('作业开始时间', 'Operation from') },
      nightOperation: { type: 'boolean', 'x-title': bilingual('夜间作业', 'Night operation') },
    },
    $defs: {
      text: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', 'x-messages': { pattern: 'must not be blank' } },
      organisation: {
        type: 'object',
        required: ['creditCode', 'name'],
        properties: {
          creditCode: { type: 'string', format: 'credit-code', 'x-title': bilingual('统一社会信用代码', 'Unified social credit code') },
          name: { $ref: '#/$defs/text', 'x-title': bilingual('名称', 'Name') },
        },
      },
      person: {
        type: 'object',
        required: ['idCard', 'name'],
        properties: {
          idCard: { type: 'string', format: 'id-card', 'x-title': bilingual('公民身份号码', 'ID number') },
          name: { $ref: '#/$defs/text', 'x-title': bilingual('姓名', 'Name') },
        },
      },
    },
  },
  example: {
    serviceCode: 'DRONEX',
    channel: 'online',
    scenarioAnswers: {},
    materials: [{ material: 'application-form', reference: 'upload:drone-form-1' }],
    form: {
      // Stored JSON does not keep key order: the page orders by the schema, whatever order the submission had.
      nightOperation: false,
      operationFrom: '{{today+3}}T06:30:00+08:00',
      pilots: [{ idCard: DEMO.drivers.heavy.idCard, name: '李飞' }],
      aircraft: { category: 'light', takeoffMassKg: 48, serialNo: 'DJI-T40-0001' },
      applicant: { creditCode: DEMO.heavyCarrier.creditCode, name: DEMO.heavyCarrier.name },
    },
  },
  items: [{ code: 'drone-filing', name: bilingual('植保无人机作业备案', 'Crop-spraying drone filing'), department: 'transport' }],
  departments: ['transport'],
  scenarios: [],
  materials: [{ id: 'application-form', name: bilingual('作业备案表', 'Filing form') }],
  baseMaterials: ['application-form'],
  review: {
    caseLimitWorkingDays: 3,
    fastTrackWhenAllPass: false,
    steps: [
      {
        id: 'transport-review',
        name: bilingual('交通运输局审查', 'Transport review'),
        department: 'transport',
        kind: 'human',
        after: [],
        limitWorkingDays: 2,
        onLimit: 'escalate',
        mandatory: true,
        legalBasis: {
          limit: { document: '无人驾驶航空器飞行管理暂行条例', article: 'art. 1 (made up for this test)' },
          onLimit: { document: '中华人民共和国行政许可法', article: 'art. 42 para. 1; art. 60', note: 'Made up for this test.' },
        },
      },
    ],
  },
  certificates: [
    {
      type: 'drone-filing-receipt',
      name: bilingual('植保无人机作业备案回执', 'Drone filing receipt'),
      perVehicle: false,
      validityMonths: 1,
      authority: bilingual('济宁市交通运输局', 'Jining Transport Bureau'),
      department: 'transport',
      fields: ['applicant.name', 'aircraft.serialNo', 'aircraft.takeoffMassKg', 'aircraft.category'],
    },
  ],
};

let dir: string;
let run: BrowserRun;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-service-form-'));
  fs.writeFileSync(path.join(dir, 'drone-filing.json'), JSON.stringify(droneService, null, 2));
  const catalog = loadServiceCatalog({ ...DEFAULT_CATALOG_SOURCES, servicesDirs: [...DEFAULT_CATALOG_SOURCES.servicesDirs, dir] });
  run = await startBrowserRun({ catalog });
});
afterAll(async () => {
  await run?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The case page's form as the reviewer reads it: each label (dt) with its field key and the value beside it. */
async function formRows(p: TestPage): Promise<{ key: string | null; label: string; value: string }[]> {
  const section = p.page.getByTestId('case-form');
  await section.locator('dt').first().waitFor();
  return section.locator('dt').evaluateAll((dts) =>
    dts.map((dt) => ({
      key: dt.getAttribute('data-field'),
      label: (dt.textContent ?? '').trim(),
      value: (dt.nextElementSibling?.textContent ?? '').trim(),
    })),
  );
}

async function openCase(p: TestPage, caseNo: string) {
  await p.goto(`/workbench/cases/${encodeURIComponent(caseNo)}`);
  await p.page.getByRole('heading', { level: 1, name: zh('case.title', { caseNo }) }).waitFor();
}

describe('the workbench renders a form from its definition', () => {
  it('shows a made-up service’s form and certificate with the titles of its form schema, no page code of its own', async () => {
    const example = (await run.api.call('GET', '/services/DRONEX', { token: portal })).body.example;
    const submitted = await run.api.call('POST', '/cases', { token: portal, body: example, headers: { 'Idempotency-Key': `drone-form-${Date.now()}` } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;

    const p = await run.open('service-form');
    await signInAsReviewer(p, 'transport');
    await openCase(p, caseNo);
    // Waits for the catalogue too: until it has loaded, the labels are the keys in words.
    await p.page.getByTestId('case-form').locator('dt[data-field="aircraft"]', { hasText: '航空器' }).waitFor();
    const rows = await formRows(p);
    const byKey = (k: string) => rows.filter((r) => r.key === k);
    // The schema's order at the top level, whatever the submission's; $ref'd titles overridden where the field says.
    expect(rows.filter((r) => ['applicant', 'aircraft', 'pilots', 'operationFrom', 'nightOperation'].includes(r.key!)).map((r) => r.label)).toEqual([
      '作业单位',
      '航空器',
      '操控员',
      '作业开始时间',
      '夜间作业',
    ]);
    // Through $defs (organisation, person in an array's items) and a nested object, in the schema's order.
    expect(byKey('creditCode').map((r) => r.label)).toEqual(['统一社会信用代码']);
    expect(byKey('serialNo').map((r) => [r.label, r.value])).toEqual([['产品序列号', 'DJI-T40-0001']]);
    expect(byKey('takeoffMassKg').map((r) => [r.label, r.value])).toEqual([['最大起飞质量（千克）', '48']]);
    expect(byKey('category').map((r) => [r.label, r.value])).toEqual([['类别', '轻型']]);
    expect(byKey('idCard').map((r) => r.label)).toEqual(['公民身份号码']);
    expect(byKey('name').map((r) => r.label)).toEqual(['名称', '姓名']);
    expect(byKey('nightOperation').map((r) => r.value)).toEqual([zh('no')]);
    // An instant in Beijing time as the pages show instants, not the raw ISO string.
    expect(byKey('operationFrom')[0]!.value).toMatch(/^\d{4}-\d{2}-\d{2} 06:30$/);
    // No key shown as itself: every field had a title.
    expect(rows.filter((r) => r.label === r.key)).toEqual([]);
    await p.check('made-up-case-form');

    // The certificate's print view (signed in) titles its signed fields from the same form schema.
    await approveByApi(run, 'transport', caseNo, 'transport-review');
    const done = await caseReaches(run, caseNo, 'completed');
    const no = (done.certificates[0] as { no: string }).no;
    await p.goto(`/certificates/${encodeURIComponent(no)}/print`);
    const sheet = p.page.locator(`[data-testid="certificate-sheet"][data-certificate-no="${no}"]`);
    await sheet.locator('th', { hasText: '航空器产品序列号' }).waitFor();
    const text = await sheet.innerText();
    for (const part of ['航空器最大起飞质量（千克）', '航空器类别', '轻型', 'DJI-T40-0001']) expect(text).toContain(part);
    await p.check('made-up-certificate');

    // The public verification page (no sign-in: the catalogue is public) titles the fields the same way. The API shows
    // the public only the fields it has a rule for (infra/signing/verification.ts), so these are named as withheld.
    const code = (await run.api.call('GET', `/certificates/${no}`, { token: portal })).body.verificationCode as string;
    const anyone = await run.open('service-form-public');
    await anyone.goto(`/verify/${encodeURIComponent(code)}`);
    await anyone.page.locator('[data-testid="verify-status"][data-status="valid"]').waitFor();
    const withheld = anyone.page.getByText(new RegExp(`^${zh('cert.withheld', { fields: '' })}.*航空器产品序列号`));
    await withheld.waitFor();
    for (const part of ['航空器最大起飞质量（千克）', '航空器类别']) expect(await withheld.innerText()).toContain(part);
    await anyone.check('made-up-verify');
  });

  it('shows the school-bus form with the titles of its committed definition', async () => {
    const def = (await run.api.call('GET', '/services/SCHOOLBUS', { token: portal })).body as { formSchema: { properties: Record<string, { 'x-title': { zh: string } }> } };
    const { caseNo } = await submitSchoolBus(run, 'browser-service-form');
    const p = await run.open('service-form-schoolbus');
    await signInAsReviewer(p, 'education');
    await openCase(p, caseNo);
    await p.page.getByTestId('case-form').locator('dt[data-field="applicant"]', { hasText: def.formSchema.properties.applicant!['x-title'].zh }).waitFor();
    const rows = await formRows(p);
    const top = Object.keys(def.formSchema.properties);
    expect(rows.filter((r) => top.includes(r.key!)).map((r) => r.label)).toEqual(top.map((k) => def.formSchema.properties[k]!['x-title'].zh));
    expect(rows.find((r) => r.key === 'totalMassKg')?.label).toBe('总质量（千克）');
    expect(rows.find((r) => r.key === 'creditCode')?.label).toBe('统一社会信用代码');
    await p.expectNoProblems();
  });

  it('takes a RIDEHAIL case (the service added as data only) through the workbench, its form titled by its definition', async () => {
    type Titled = { 'x-title': { zh: string }; properties?: Record<string, Titled> };
    const def = (await run.api.call('GET', '/services/RIDEHAIL', { token: portal })).body as { example: unknown; formSchema: { properties: Record<string, Titled> } };
    const submitted = await run.api.call('POST', '/cases', { token: portal, body: def.example, headers: { 'Idempotency-Key': `browser-ridehail-${Date.now()}` } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;
    const stepName = await stepNames(run, 'RIDEHAIL');

    // Transport accepts in the pages: from its queue to the case, whose form reads as the definition titles it.
    await openTask(run, 'transport', caseNo, 'transport-acceptance');
    const p = await run.open('service-form-ridehail');
    await signInAsReviewer(p, 'transport');
    await p.page.getByRole('link', { name: openLinkName(caseNo, stepName('transport-acceptance')), exact: true }).waitFor();
    await openAndClaim(p, caseNo, stepName('transport-acceptance'));
    const props = def.formSchema.properties;
    await p.page.getByTestId('case-form').locator('dt[data-field="serviceCity"]', { hasText: props.serviceCity!['x-title'].zh }).waitFor();
    const rows = await formRows(p);
    const top = Object.keys(props);
    expect(rows.filter((r) => top.includes(r.key!)).map((r) => r.label)).toEqual(top.map((k) => props[k]!['x-title'].zh));
    expect(rows.find((r) => r.key === 'seats')?.label).toBe(props.vehicle!.properties!.seats!['x-title'].zh);
    expect(rows.find((r) => r.key === 'seats')?.label).toBe('核定载客人数');
    expect(rows.find((r) => r.key === 'serviceCity')).toMatchObject({ label: '服务所在地', value: '济宁市' });
    expect(rows.filter((r) => r.label === r.key)).toEqual([]);
    const form = p.page.getByTestId('decision-form');
    await form.getByRole('radio', { name: zh('decisionKind.approve') }).check();
    await form.getByLabel(zh('decide.comment')).fill('驾驶员与车辆条件核查通过。');
    await p.page.getByTestId('submit-decision').click();
    const dialog = confirmDialog(p, 'approve');
    await dialog.getByRole('button', { name: zh('decide.submit') }).click();
    await stepReaches(run, caseNo, 'transport-acceptance', 'approved');
    await p.check('ridehail-case');

    // The police and transport's decision through the API; the case page then lists both certificates.
    await approveByApi(run, 'public_security', caseNo, 'police-review');
    await approveByApi(run, 'transport', caseNo, 'transport-decision');
    const done = await caseReaches(run, caseNo, 'completed');
    expect(done.certificates).toHaveLength(2);
    await p.page.getByRole('button', { name: zh('action.refresh') }).click();
    await p.page.getByTestId('case-status').getByText(zh('caseStatus.completed')).waitFor();
    expect(await p.page.getByTestId('case-certificate').count()).toBe(2);
    const listed = await p.page.getByTestId('case-certificates').innerText();
    for (const name of ['网络预约出租汽车驾驶员证', '网络预约出租汽车运输证']) expect(listed).toContain(name);
    await p.check('ridehail-completed');
  });
});
