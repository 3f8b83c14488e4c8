/**
 * Services as data (issue 15): every definition file validates against the definition file's own JSON Schema
 * (data/schema/service-definition.schema.json, which editors use through each file's `$schema`) and loads through the
 * catalogue's checks; the city file validates against its schema. The catalogue refuses a definition naming a
 * department the city does not list, an untitled form field, a rule about a field the form lacks, an example its own
 * form refuses. The form conventions (platform formats, if/then, dependentRequired, rules, the OpenAPI translation)
 * and the data-driven oversize category III materials (against domain/oversize's classification) are checked here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiSchemaOf } from '../../api/schemas/form-components';
import { classifyOversize, type OversizeApplication } from '../../domain/oversize';
import { idCardWithCheck } from '../../domain/identifiers';
import {
  catalogSourcesFromEnv,
  committedCatalog,
  DEFAULT_CITY_FILE,
  DEFAULT_SERVICES_DIR,
  InvalidServiceDefinitionError,
  loadDepartments,
  loadServiceCatalog,
  parseServiceFile,
} from '../../infra/services/catalog';
import { compileForm, evaluateFormRules, type JsonSchema } from '../../infra/services/form-schema';

const ROOT = path.resolve(__dirname, '../..');
const readJson = (p: string): Record<string, unknown> => JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
const definitionFiles = fs.readdirSync(DEFAULT_SERVICES_DIR).filter((f) => f.endsWith('.json')).sort();
const schoolBusFile = () => readJson(path.join(DEFAULT_SERVICES_DIR, 'school-bus.json'));

/** A schema of data/schema, with the schemas it refers to (a step's checks: checks.schema.json). */
function metaValidator(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(readJson(path.join(ROOT, 'data', 'schema', 'checks.schema.json')));
  return ajv.compile(readJson(path.join(ROOT, 'data', 'schema', file)));
}

describe('every definition file validates against the definition schema and loads', () => {
  const validate = metaValidator('service-definition.schema.json');
  it('there are definitions to check', () => expect(definitionFiles.length).toBeGreaterThanOrEqual(3));

  it.each(definitionFiles)('%s', (file) => {
    const raw = readJson(path.join(DEFAULT_SERVICES_DIR, file));
    const ok = validate(raw);
    expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    expect(raw.$schema).toBe('../schema/service-definition.schema.json');
    expect(() => parseServiceFile(raw, file)).not.toThrow();
  });

  it('the city file validates against its schema, and every parent is a listed department', () => {
    const v = metaValidator('city-departments.schema.json');
    const city = readJson(DEFAULT_CITY_FILE);
    expect(v(city) ? [] : v.errors).toEqual([]);
    expect(city.$schema).toBe('../schema/city-departments.schema.json');
    const d = loadDepartments([DEFAULT_CITY_FILE]);
    expect(d.escalationChain('education')).toEqual(['government_office']);
    expect(d.escalationChain('government_office')).toEqual([]);
  });

  it('the definition schema itself refuses what it should (an unknown key, a bad department code, an unknown check type)', () => {
    const raw = schoolBusFile();
    expect(validate({ ...raw, colour: 'blue' })).toBe(false);
    expect(validate({ ...raw, departments: ['Education Bureau'] })).toBe(false);
    const badCheck = schoolBusFile() as { review: { steps: { checks?: { type?: string }[] }[] } };
    badCheck.review.steps[0]!.checks![0]!.type = 'horoscope-favourable';
    expect(validate(badCheck)).toBe(false);
  });
});

describe('the catalogue refuses', () => {
  const expectRefused = (raw: Record<string, unknown>, message: RegExp) => {
    expect(() => parseServiceFile(raw, 'school-bus.json')).toThrow(InvalidServiceDefinitionError);
    expect(() => parseServiceFile(raw, 'school-bus.json')).toThrow(message);
  };

  it('a definition naming a department the city does not list (a step, the list, a certificate)', () => {
    const raw = schoolBusFile() as { departments: string[]; review: { steps: { department: string }[] }; certificates: { department: string }[] };
    raw.departments.push('weather_bureau');
    raw.review.steps[1]!.department = 'weather_bureau';
    raw.certificates[0]!.department = 'weather_bureau';
    expectRefused(raw, /departments\.4: unknown department weather_bureau/);
    expectRefused(raw, /review\.steps\.1\.department: unknown department weather_bureau/);
    expectRefused(raw, /certificates\.0\.department: unknown department weather_bureau/);
  });

  it('a form field without its bilingual title', () => {
    const raw = schoolBusFile() as { formSchema: { properties: Record<string, Record<string, unknown>> } };
    delete raw.formSchema.properties.liabilityInsuranceValidUntil!['x-title'];
    expectRefused(raw as Record<string, unknown>, /formSchema\.liabilityInsuranceValidUntil: a form field needs "x-title"/);
  });

  it('a rule about a field the form does not have, and a conditional material that is not defined', () => {
    const raw = readJson(path.join(DEFAULT_SERVICES_DIR, 'oversize-cargo.json')) as { formRules: { field: string }[]; materialsWhen: { materials: string[] }[] };
    raw.formRules[0]!.field = 'vehicle.wings';
    expect(() => parseServiceFile(raw, 'oversize-cargo.json')).toThrow(/formRules\.0: vehicle\.wings is not a field of the form/);
    const raw2 = readJson(path.join(DEFAULT_SERVICES_DIR, 'oversize-cargo.json')) as { materialsWhen: { materials: string[] }[] };
    raw2.materialsWhen[0]!.materials.push('horoscope');
    expect(() => parseServiceFile(raw2, 'oversize-cargo.json')).toThrow(/materialsWhen\.0\.materials: material horoscope is not defined/);
  });

  it('an example its own form refuses, and a form schema that is not JSON Schema', () => {
    const raw = schoolBusFile() as { example: { form: { vehicle: { plate: string } } }; formSchema: Record<string, unknown> };
    raw.example.form.vehicle.plate = 'ABC';
    expectRefused(raw as unknown as Record<string, unknown>, /example\.form\.vehicle\.plate: not a valid plate number/);
    const bad = schoolBusFile() as { formSchema: { properties: Record<string, unknown> } };
    bad.formSchema.properties.liabilityInsuranceValidUntil = { type: 'strng', 'x-title': { zh: '日期', en: 'Date' } };
    expectRefused(bad as unknown as Record<string, unknown>, /formSchema is not a valid form schema/);
  });

  it('a form without the applicant the platform reads, and a certificate field the form does not have', () => {
    const raw = schoolBusFile() as { formSchema: { required: string[] }; certificates: { fields: string[] }[] };
    raw.formSchema.required = raw.formSchema.required.filter((f) => f !== 'applicant');
    expectRefused(raw as unknown as Record<string, unknown>, /formSchema\.properties\.applicant: every form has a required applicant/);
    const raw2 = schoolBusFile() as { certificates: { fields: string[] }[] };
    raw2.certificates[1]!.fields.push('vehicle.colour');
    expectRefused(raw2 as unknown as Record<string, unknown>, /certificates\.1\.fields\.6: vehicle\.colour is not a field of the form/);
  });

  it("a public rule for a field the certificate does not carry, or a rule that is not one of the four", () => {
    const raw = schoolBusFile() as { certificates: { publicFields: Record<string, string> }[] };
    raw.certificates[0]!.publicFields['driver.idCard'] = 'show';
    expectRefused(raw as unknown as Record<string, unknown>, /certificates\.0\.publicFields\.driver\.idCard: driver\.idCard is not one of the certificate's fields/);
    const raw2 = schoolBusFile() as { certificates: { publicFields: Record<string, string> }[] };
    raw2.certificates[1]!.publicFields['route.stops'] = 'everyone';
    expectRefused(raw2 as unknown as Record<string, unknown>, /publicFields/);
  });

  it('a city file whose parent is not listed, a department listed twice, and a parent cycle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-city-'));
    try {
      const write = (name: string, departments: unknown[]) => {
        const p = path.join(dir, name);
        fs.writeFileSync(p, JSON.stringify({ departments }));
        return p;
      };
      const n = { zh: '局', en: 'Bureau' };
      expect(() => loadDepartments([write('a.json', [{ code: 'ports', name: n, parent: 'harbour_office' }])])).toThrow(/parent harbour_office is not listed/);
      expect(() => loadDepartments([DEFAULT_CITY_FILE, write('b.json', [{ code: 'education', name: n }])])).toThrow(/education is listed twice/);
      expect(() => loadDepartments([write('c.json', [{ code: 'aa', name: n, parent: 'bb' }, { code: 'bb', name: n, parent: 'aa' }])])).toThrow(/parents lead back/);
      // A later file adds a department under the committed city's government office.
      const more = loadDepartments([DEFAULT_CITY_FILE, write('d.json', [{ code: 'ports', name: n, parent: 'government_office' }])]);
      expect(more.has('ports') && more.has('education')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a form id whose OpenAPI names are taken by the document', () => {
    expectRefused({ ...schoolBusFile(), form: 'case' }, /form: service, case, purged and application are not form ids/);
  });

  it('the same service code in two folders', () => {
    expect(() => loadServiceCatalog({ servicesDirs: [DEFAULT_SERVICES_DIR, DEFAULT_SERVICES_DIR], cityFiles: [DEFAULT_CITY_FILE] })).toThrow(/already defined/);
  });
});

describe('catalogue sources', () => {
  it('SERVICES_DIRS and CITY_FILES replace the committed folder and city file; unset, the committed ones', () => {
    expect(catalogSourcesFromEnv({})).toEqual({ servicesDirs: [DEFAULT_SERVICES_DIR], cityFiles: [DEFAULT_CITY_FILE] });
    expect(catalogSourcesFromEnv({ SERVICES_DIRS: `/a${path.delimiter}/b`, CITY_FILES: '/c.json' })).toEqual({ servicesDirs: ['/a', '/b'], cityFiles: ['/c.json'] });
  });
});

describe('form conventions', () => {
  const form = (schema: JsonSchema, rules = [] as Parameters<typeof compileForm>[2]) => compileForm('made-up', { type: 'object', ...schema }, rules, 'test');
  const issues = (f: ReturnType<typeof form>, v: unknown) => f.issues(v).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('platform formats check the check character, and a birth date not after today', () => {
    const f = form({ properties: { c: { type: 'string', format: 'credit-code' }, i: { type: 'string', format: 'id-card' }, p: { type: 'string', format: 'plate' } } });
    expect(issues(f, { c: '91370800MA3C00030M', i: '37080219750315002X', p: '鲁H20001' })).toEqual([]);
    expect(issues(f, { c: '91370800MA3C00030N', i: '370802197503150021', p: '鲁I20001' })).toEqual([
      'c: not a valid unified social credit code (18 characters, GB 32100-2015 check character)',
      'i: not a valid resident identity card number (18 characters, GB 11643-1999 check digit, born 1900 or later)',
      'p: not a valid plate number (e.g. 鲁H12345, new-energy 鲁HD12345)',
    ]);
    expect(issues(f, { i: idCardWithCheck('37080220991231001') })).toEqual(['i: the birth date in this identity card number is in the future']);
  });

  it('objects are closed, required fields are named, x-messages replaces a keyword message', () => {
    const f = form({ required: ['a'], properties: { a: { type: 'integer', minimum: 3, 'x-messages': { minimum: 'at least three' } }, o: { type: 'object', properties: { b: { type: 'string' } } } } });
    expect(issues(f, { o: { b: 'x', extra: 1 }, more: true }).sort()).toEqual(['a: required', 'more: not a field of this form', 'o.extra: not a field of this form']);
    expect(issues(f, { a: 2 })).toEqual(['a: at least three']);
    expect(issues(f, 'text')).toEqual([": expected an object: the service's form"]);
  });

  it('if/then and dependentRequired (cross-field rules JSON Schema says) name the field that fails', () => {
    const f = form({
      properties: { tripKind: { enum: ['single', 'repeated'] }, passMonths: { type: 'integer' }, escort: { type: 'boolean' }, escortPlan: { type: 'string' } },
      if: { properties: { tripKind: { const: 'repeated' } }, required: ['tripKind'] },
      then: { required: ['passMonths'] },
      dependentRequired: { escort: ['escortPlan'] },
    });
    expect(issues(f, { tripKind: 'single' })).toEqual([]);
    expect(issues(f, { tripKind: 'repeated', escort: true })).toEqual(['passMonths: required', 'escortPlan: required']);
  });

  it('formRules compare sums, counts and instants, and skip values the schema reports', () => {
    const rules = [
      { field: 'gross', op: '>=' as const, compareTo: [{ field: 'cargo' }, { field: 'curb' }] },
      { field: 'tyres', op: '>=' as const, compareTo: [{ field: 'axles', times: 2 }], message: 'at least 2 tyres per axle' },
      { field: 'loads', count: true, op: '==' as const, compareTo: [{ field: 'axles' }] },
      { field: 'to', op: '>' as const, compareTo: [{ field: 'from' }] },
    ];
    const ok = { gross: 30, cargo: 10, curb: 20, tyres: 8, axles: 4, loads: [1, 2, 3, 4], from: '2026-12-03T22:00:00+08:00', to: '2026-12-03T23:00:00+08:00' };
    expect(evaluateFormRules(rules, ok)).toEqual([]);
    const bad = { ...ok, gross: 29, tyres: 7, loads: [1], to: '2026-12-03T13:59:00Z' };
    expect(evaluateFormRules(rules, bad).map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'gross: must be at least cargo + curb (29 vs 30)',
      'tyres: at least 2 tyres per axle (7 vs 8)',
      'loads: must be equal to axles (1 items vs 4)',
      'to: must be more than from (2026-12-03T13:59:00Z vs 2026-12-03T22:00:00+08:00)',
    ]);
    expect(evaluateFormRules(rules, { ...ok, cargo: 'heavy' })).toEqual([]);
  });

  it('the OpenAPI translation inlines $defs, says const as enum and 3.0 exclusive bounds, and a view keeps only the shape', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { a: { $ref: '#/$defs/kg', 'x-title': { zh: '质量', en: 'Mass' } }, k: { const: 'x' } },
      $defs: { kg: { type: 'integer', exclusiveMinimum: 0, maximum: 10 } },
      if: { properties: { k: { const: 'x' } } },
      then: { required: ['a'] },
    };
    const out = openApiSchemaOf(schema);
    expect(out.properties).toEqual({ a: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 10, 'x-title': { zh: '质量', en: 'Mass' } }, k: { enum: ['x'] } });
    expect(out).not.toHaveProperty('if');
    expect(out.description).toMatch(/Cross-field rules \(if\)/);
    expect(openApiSchemaOf(schema, { view: true }).properties).toEqual({ a: { type: 'integer', 'x-title': { zh: '质量', en: 'Mass' } }, k: { enum: ['x'] } });
  });
});

describe('oversize category III materials are data, and agree with the rule engine', () => {
  const catalog = committedCatalog();
  const example = catalog.example('OVERSIZE', Date.parse('2026-11-26T10:00:00+08:00'))!.form as unknown as OversizeApplication;
  const loads = (gross: number, axles: number) => Array.from({ length: axles }, () => Math.round(gross / axles));
  const grid: [number, number, number, number][] = [];
  for (const h of [4100, 4500, 4501, 4800]) for (const w of [2900, 3750, 3751]) for (const l of [17500, 28000, 28001]) for (const g of [45000, 100000, 100001]) grid.push([h, w, l, g]);

  it.each(grid)('height %i, width %i, length %i, gross %i kg', (heightMm, widthMm, lengthMm, grossMassKg) => {
    const form = { ...example, loaded: { heightMm, widthMm, lengthMm, grossMassKg, axleLoadsKg: loads(grossMassKg, example.vehicle.axles) } };
    const categoryIII = classifyOversize(form).category === 'III';
    expect(catalog.materialsRequiredBy('OVERSIZE', form).sort()).toEqual(categoryIII ? ['escort-plan', 'outline-drawing'] : []);
  });
});
