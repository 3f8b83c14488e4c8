/**
 * The workbench reads a service's form schema for display (web/src/form-schema.ts): titles through local $refs into
 * $defs, array items, nested objects and conditional branches; the schema's field order; enum titles; units from field
 * names; and the key in words for a field no schema names. The committed definitions are read as the API serves them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { byFormOrder, FormSchema, fieldRows, keyAsWords, pathLabel, signedFieldPath, unitOfKey } from '../../web/src/form-schema';

const servicesDir = path.join(__dirname, '../../data/services');
const definitions = fs
  .readdirSync(servicesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(path.join(servicesDir, f), 'utf8')) as { code: string; formSchema: unknown; example: { form: Record<string, unknown> }; certificates: { fields: string[] }[] });
const byCode = (code: string) => new FormSchema(definitions.find((d) => d.code === code)!.formSchema);

describe('a form schema read for display', () => {
  const made = new FormSchema({
    type: 'object',
    properties: {
      owner: { $ref: '#/$defs/person', 'x-title': { zh: '车主', en: 'Owner' } },
      cars: { type: 'array', items: { $ref: '#/$defs/car' }, 'x-title': { zh: '车辆', en: 'Cars' } },
      fuel: { type: 'string', enum: ['petrol', 'electric'], 'x-title': { zh: '燃料', en: 'Fuel' }, 'x-enumTitles': { electric: { zh: '纯电动', en: 'Battery electric' } } },
      colour: { oneOf: [{ const: 'red', 'x-title': { zh: '红色', en: 'Red' } }, { const: 'blue', title: 'Blue' }], 'x-title': { zh: '颜色', en: 'Colour' } },
      batteryKwh: { type: 'number', 'x-title': { zh: '电池容量', en: 'Battery' } },
      weights: { type: 'array', prefixItems: [{ 'x-title': { zh: '前轴', en: 'Front' } }], items: { type: 'integer' } },
      'a/b': { type: 'string', 'x-title': { zh: '斜杠', en: 'Slash' } },
      ref: { $ref: '#/properties/a~1b' },
    },
    allOf: [{ if: { properties: { fuel: { const: 'electric' } } }, then: { properties: { chargerKw: { type: 'number', 'x-title': { zh: '充电功率（千瓦）', en: 'Charger (kW)' } } } } }],
    $defs: {
      person: { type: 'object', 'x-title': { zh: '人', en: 'Person' }, properties: { name: { type: 'string', 'x-title': { zh: '姓名', en: 'Name' } }, idCard: { type: 'string', format: 'id-card', 'x-title': { zh: '公民身份号码', en: 'ID number' } } } },
      car: { type: 'object', properties: { plate: { type: 'string', format: 'plate', 'x-title': { zh: '号牌号码', en: 'Plate' } }, lengthMm: { type: 'integer', 'x-title': { zh: '长度', en: 'Length' } } } },
      loop: { $ref: '#/$defs/loop' },
    },
  });

  it('follows a $ref into $defs, the referring x-title winning over the definition', () => {
    const owner = made.at(['owner']);
    expect(FormSchema.title(owner)).toEqual({ zh: '车主', en: 'Owner' });
    expect(FormSchema.title(made.at('owner.name'))).toEqual({ zh: '姓名', en: 'Name' });
    expect(made.format(made.at(['owner', 'idCard']))).toBe('id-card');
  });

  it("reads array items (by index or dotted path), prefixItems, and escaped pointers", () => {
    expect(FormSchema.title(made.at(['cars', 0, 'plate']))).toEqual({ zh: '号牌号码', en: 'Plate' });
    expect(FormSchema.title(made.at('cars.3.plate'))).toEqual({ zh: '号牌号码', en: 'Plate' });
    expect(FormSchema.title(made.at(['weights', 0]))).toEqual({ zh: '前轴', en: 'Front' });
    expect(made.at(['weights', 1])).toEqual({ type: 'integer' });
    expect(FormSchema.title(made.at(['ref']))).toEqual({ zh: '斜杠', en: 'Slash' });
  });

  it('finds a field declared in a conditional branch, and stops on a $ref cycle', () => {
    expect(made.label(made.at(['chargerKw']), 'chargerKw', 'zh')).toBe('充电功率（千瓦）');
    expect(made.resolve({ $ref: '#/$defs/loop' })).toEqual({ $ref: '#/$defs/loop' });
    expect(made.at(['nothing', 'here'])).toBeUndefined();
  });

  it('titles enumerated values from x-enumTitles or a oneOf of consts, and leaves others as they are', () => {
    expect(made.enumTitle(made.at(['fuel']), 'electric')).toEqual({ zh: '纯电动', en: 'Battery electric' });
    expect(made.enumTitle(made.at(['fuel']), 'petrol')).toBeUndefined();
    expect(made.enumTitle(made.at(['colour']), 'red')).toEqual({ zh: '红色', en: 'Red' });
    expect(made.enumTitle(made.at(['colour']), 'blue')).toEqual({ zh: 'Blue', en: 'Blue' });
  });

  it('adds the unit of the field name to a title that does not say it, once', () => {
    expect(made.label(made.at(['cars', 0, 'lengthMm']), 'lengthMm', 'zh')).toBe('长度（毫米）');
    expect(made.label(made.at(['cars', 0, 'lengthMm']), 'lengthMm', 'en')).toBe('Length (mm)');
    expect(made.label(made.at(['batteryKwh']), 'batteryKwh', 'en')).toBe('Battery (kWh)');
    expect(made.label(made.at(['chargerKw']), 'chargerKw', 'en')).toBe('Charger (kW)');
    expect(unitOfKey('grossMassKg')).toEqual({ zh: '千克', en: 'kg' });
    expect(unitOfKey('Kg')).toBeNull();
    expect(unitOfKey('tripKind')).toBeNull();
  });

  it('shows a key no schema names as words, with its unit', () => {
    expect(keyAsWords('driverIdCard')).toBe('Driver id card');
    expect(keyAsWords('grossMassKg')).toBe('Gross mass (kg)');
    expect(keyAsWords('grossMassKg', 'zh')).toBe('Gross mass（千克）');
    expect(new FormSchema(undefined).label(undefined, 'travelFrom', 'zh')).toBe('Travel from');
  });

  it("orders an object's fields as the schema declares them, unknown keys after in their stored order", () => {
    const rows = fieldRows(made, made.at([]), { zzz: 1, colour: 'red', aaa: 2, owner: { name: '张*' }, fuel: 'petrol' }, 'zh', ['aaa']);
    expect(rows.map((r) => [r.key, r.label])).toEqual([
      ['owner', '车主'],
      ['fuel', '燃料'],
      ['colour', '颜色'],
      ['zzz', 'Zzz'],
    ]);
  });
});

describe('the committed definitions read for display', () => {
  it.each(definitions.map((d) => [d.code]))('%s: every field of its example has a Chinese and an English title', (code) => {
    const def = definitions.find((d) => d.code === code)!;
    const schema = new FormSchema(def.formSchema);
    const untitled: string[] = [];
    const walk = (value: unknown, at: (string | number)[]) => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...at, i]));
      if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          const node = schema.at([...at, k]);
          const title = FormSchema.title(node);
          if (!title || !/[\u4e00-\u9fff]/.test(title.zh) || !title.en) untitled.push([...at, k].join('.'));
          walk(v, [...at, k]);
        }
      }
    };
    walk(def.example.form, []);
    expect(untitled).toEqual([]);
  });

  it('labels the school-bus form from its definition, through $defs, in its order', () => {
    const schema = byCode('SCHOOLBUS');
    const form = definitions.find((d) => d.code === 'SCHOOLBUS')!.example.form as never;
    expect(fieldRows(schema, schema.at([]), form, 'zh').map((r) => r.label)).toEqual(['申请人（学校）', '承运单位', '车辆', '驾驶人', '线路', '承运人责任险有效期至']);
    expect(schema.label(schema.at('carrier.creditCode'), 'creditCode', 'zh')).toBe('统一社会信用代码');
    expect(schema.label(schema.at('vehicle.totalMassKg'), 'totalMassKg', 'en')).toBe('Total mass (kg)');
  });

  it('titles the oversize enums and formats from its definition', () => {
    const schema = byCode('OVERSIZE');
    expect(schema.enumTitle(schema.at('route.tripKind'), 'repeated')).toEqual({ zh: '多次通行', en: 'Repeated trips' });
    expect(schema.enumTitle(schema.at('vehicle.configuration'), 'combination')?.zh).toBe('汽车列车');
    expect(schema.format(schema.at('route.travelFrom'))).toBe('date-time');
    expect(schema.format(schema.at('driverIdCard'))).toBe('id-card');
  });

  it("labels every certificate field of every definition from the form's titles", () => {
    for (const d of definitions) {
      const schema = new FormSchema(d.formSchema);
      for (const c of d.certificates) for (const f of c.fields) expect([d.code, f, /[\u4e00-\u9fff]/.test(pathLabel(schema, f, 'zh'))]).toEqual([d.code, f, true]);
    }
    const sb = byCode('SCHOOLBUS');
    expect(pathLabel(sb, 'carrier.name', 'zh')).toBe('承运单位名称');
    expect(pathLabel(sb, 'applicant.name', 'zh')).toBe('申请人名称');
    expect(pathLabel(sb, 'route.name', 'zh')).toBe('线路名称');
    expect(pathLabel(sb, 'driver.name', 'en')).toBe('Driver: name');
    expect(pathLabel(byCode('OVERSIZE'), 'loaded.lengthMm', 'zh')).toBe('装载后车货长度（毫米）');
  });

  it("orders a certificate's signed fields as the form declares them, per-vehicle fields read in the vehicles list", () => {
    const oversize = byCode('OVERSIZE');
    const signed = ['applicant.name', 'cargo.name', 'loaded.grossMassKg', 'loaded.heightMm', 'loaded.lengthMm', 'route.travelFrom', 'route.originCity', 'vehicle.plate', 'unknown.field'];
    expect([...signed].sort(byFormOrder(oversize))).toEqual([
      'applicant.name',
      'cargo.name',
      'vehicle.plate',
      'loaded.lengthMm',
      'loaded.heightMm',
      'loaded.grossMassKg',
      'route.originCity',
      'route.travelFrom',
      'unknown.field',
    ]);
    const freight = byCode('FREIGHTCO');
    expect(signedFieldPath(freight, 'vehicle.plate')).toEqual(['vehicles', '0', 'plate']);
    expect(signedFieldPath(oversize, 'vehicle.plate')).toEqual(['vehicle', 'plate']);
    expect(['vehicle.totalMassKg', 'vehicle.axles', 'vehicle.plate', 'applicant.name'].sort(byFormOrder(freight))).toEqual(['applicant.name', 'vehicle.plate', 'vehicle.totalMassKg', 'vehicle.axles']);
    expect(pathLabel(freight, 'vehicle.plate', 'zh')).toBe('车辆号牌号码');
  });
});
