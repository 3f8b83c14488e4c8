/**
 * The library of automatic check types. Each type is a small pure function with a typed configuration (a zod schema,
 * so the catalogue refuses bad parameters when it loads a definition): it reads the values its parameters address in
 * the submitted form (form paths, `./paths.ts`) and the records the activity loaded for them (`./records.ts`), and
 * gives one finding per addressed value: `{ check, ok, detail }`, the shape the workbench renders.
 *
 * Conventions (the same as the hand-written checks had):
 * - a record that is missing or malformed fails its finding, with the reason, for a person; nothing throws;
 * - exactly at a bound is within it; a document valid until a day is valid on that day;
 * - details name people, vehicles and companies by name or plate, never by ID number or credit code.
 */
import { z } from 'zod';
import { addYears } from '../driving-licence';
import { isListPath, lastKey, resolveFormPath, type Addressed } from './paths';
import type { CheckRecords, CompanyRecord, Finding, PersonRecord, VehicleRecord } from './records';
import {
  ageFrom,
  boundsText,
  fullPointsInPeriods,
  licenceAgainstVehicles,
  ownedBy,
  recordsWithinYears,
  requiredThrough,
  sameName,
  scopeCovers,
  validThrough,
  withinBounds,
} from './rules';

/** What a check type reads from the records, per form path parameter. */
export type RecordKind = 'person' | 'vehicle' | 'company' | 'insurance';

export interface CheckContext {
  form: unknown;
  records: CheckRecords;
  /** 'YYYY-MM-DD' in Asia/Shanghai: the checks never read the clock. */
  today: string;
}

export interface CheckType<P extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  /** What the check compares, in one sentence (docs/checks.md lists it). */
  compares: string;
  /** The rule it applies where one applies in general; a step's check may cite its own (`basis`). */
  source: string;
  /** The finding's name when the configuration gives no title; `{field}` names a field of the addressed entry. */
  defaultTitle: string;
  params: z.ZodType<P>;
  /** The parameter whose path gives one finding per value. */
  over: string;
  /** The form-path parameters and the records each one's values are keys of (none: a form value only). */
  paths(p: P): { param: string; path: string; record?: RecordKind }[];
  evaluate(p: P, subject: Addressed, ctx: CheckContext): { ok: boolean; detail: string };
}

const NO_DRIVER = 'no driver record in the traffic police records';
const NO_PERSON = 'no record of this person';
const NO_VEHICLE = 'not registered';
const NO_COMPANY = 'credit code not in the register';

// ---- Parameter schemas ----

const formPath = z.string().min(1).describe('a form path, e.g. drivers[*].idCard');
/** When a document must still be valid: today (absent), or the later day a form value names (a date or an instant). */
const through = formPath.optional().describe('form path to the last day the document must be valid on; default today');
const strict = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

// ---- Shared evaluation helpers ----

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const person = (ctx: CheckContext, s: Addressed): PersonRecord | undefined => ctx.records.people.get(text(s.value));
const vehicle = (ctx: CheckContext, s: Addressed): VehicleRecord | undefined => ctx.records.vehicles.get(text(s.value));
const company = (ctx: CheckContext, s: Addressed): CompanyRecord | undefined => ctx.records.companies.get(text(s.value));
const one = (ctx: CheckContext, path: string | undefined): unknown => (path === undefined ? undefined : resolveFormPath(ctx.form, path)[0]?.value);
const dayOf = (ctx: CheckContext, p: { through?: string | undefined }) => requiredThrough(ctx.today, one(ctx, p.through));

/** A dated document's finding: valid through the day it must be, or why not. */
function documentValid(label: string, validUntil: string | null | undefined, through: string, today: string): { ok: boolean; detail: string } {
  const v = validThrough(validUntil, through);
  const needed = through === today ? '' : `, needed through ${through}`;
  switch (v.state) {
    case 'none':
      return { ok: false, detail: `no ${label} on record` };
    case 'not-a-date':
      return { ok: false, detail: `${label} validity '${v.recorded}' on record is not a date` };
    case 'expired':
      return { ok: false, detail: `${label} valid until ${v.validUntil}, before ${through}` };
    case 'valid':
      return { ok: true, detail: `${label} valid until ${v.validUntil}${needed}` };
  }
}

/** The size of a vehicle a licence rests on, for a reviewer: occupants or mass, the length when recorded. */
export function sizeOf(v: VehicleRecord): string {
  const parts = v.seats != null ? [`${v.seats} occupants`] : [`${v.totalMassKg} kg`];
  if (v.lengthMm != null) parts.push(`${v.lengthMm} mm long`);
  if (v.configuration === 'combination') parts.push('combination');
  return parts.join(', ');
}

// ---- The types ----

const personParams = strict({ person: formPath, through });
const vehicleParams = strict({ vehicle: formPath, through });
const companyParams = strict({ company: formPath });

function personDocument(type: string, label: string, field: 'licenceValidUntil' | 'healthDeclarationValidUntil', compares: string, source: string): CheckType<z.infer<typeof personParams>> {
  return {
    type,
    compares,
    source,
    defaultTitle: `${label} valid`,
    params: personParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      return r ? documentValid(label, r[field], dayOf(ctx, p), ctx.today) : { ok: false, detail: NO_DRIVER };
    },
  };
}

function vehicleDocument(
  type: string,
  label: string,
  field: 'inspectionValidUntil' | 'drivingLicenceValidUntil' | 'roadTransportCertValidUntil',
  compares: string,
  source: string,
): CheckType<z.infer<typeof vehicleParams>> {
  return {
    type,
    compares,
    source,
    defaultTitle: `vehicle {plate} ${label} valid`,
    params: vehicleParams,
    over: 'vehicle',
    paths: (p) => [{ param: 'vehicle', path: p.vehicle, record: 'vehicle' }],
    evaluate(p, s, ctx) {
      const r = vehicle(ctx, s);
      return r ? documentValid(label, r[field], dayOf(ctx, p), ctx.today) : { ok: false, detail: NO_VEHICLE };
    },
  };
}

const licenceCoversParams = strict({
  driver: formPath,
  vehicles: formPath,
  held: z.enum(['driving-licence', 'school-bus-endorsement']).default('driving-licence'),
});

const identityParams = strict({ record: z.enum(['company', 'person']), key: formPath, name: formPath });
const scopeParams = strict({
  company: formPath,
  permit: z.enum(['business-licence', 'operating-permit']),
  scope: z.array(z.string().min(1)).min(1).describe('scope words or codes; one of them must be in (or be) a scope entry'),
});
const insuranceParams = strict({
  holder: formPath,
  through,
  declaredValidUntil: formPath.optional().describe("form path of the applicant's own date, shown when it differs"),
  minCoverYuan: z.number().int().positive().optional(),
});
const ownerParams = strict({ vehicle: formPath, owner: formPath, ownerName: formPath.optional() });
const standardParams = strict({ vehicle: formPath, standard: z.enum(['school-bus']) });
const vehicleBoundsParams = strict({
  vehicle: formPath,
  field: z.enum(['seats', 'totalMassKg', 'lengthMm', 'axles']).describe('the vehicle record field compared'),
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(0).optional(),
}).refine((p) => p.min !== undefined || p.max !== undefined, { message: 'give min, max or both' })
  .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, { message: 'min must not be above max' });
const qualificationParams = strict({ person: formPath, qualification: z.enum(['road-freight']), through });
const ageParams = strict({
  person: formPath,
  min: z.number().int().min(0).max(150).optional(),
  max: z.number().int().min(0).max(150).optional(),
  on: formPath.optional().describe('form path of the day the age counts on (the later of it and today); default today'),
}).refine((p) => p.min !== undefined || p.max !== undefined, { message: 'give min, max or both' })
  .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, { message: 'min must not be above max' });
const experienceParams = strict({ person: formPath, minYears: z.number().int().min(1).max(60) });
const fullPointParams = strict({ person: formPath, periods: z.number().int().min(1).max(10).default(3) });
const violationParams = strict({ person: formPath, years: z.number().int().min(1).max(10).default(1) });
const recordClearParams = strict({ person: formPath, record: z.enum(['serious-accident', 'drink-driving', 'criminal']) });
const declaredParams = strict({ value: formPath });

const RECORD_FLAGS = {
  'serious-accident': { field: 'seriousAccident', onRecord: 'liability on record' },
  'drink-driving': { field: 'drinkDriving', onRecord: 'on record' },
  criminal: { field: 'criminalRecord', onRecord: 'on record' },
} as const;

const TYPES = [
  {
    type: 'company-registered',
    compares: "the credit code in the form against the market-regulation register: the company is registered",
    source: 'market-regulation register (营业执照)',
    defaultTitle: 'registered',
    params: companyParams,
    over: 'company',
    paths: (p) => [{ param: 'company', path: p.company, record: 'company' }],
    evaluate(_p, s, ctx) {
      const c = company(ctx, s);
      return { ok: !!c, detail: c ? `${c.name} found in the market-regulation register` : NO_COMPANY };
    },
  } satisfies CheckType<z.infer<typeof companyParams>>,
  {
    type: 'business-licence-active',
    compares: "the business licence's status in the register: it is active (存续)",
    source: 'market-regulation register (营业执照)',
    defaultTitle: 'licence status',
    params: companyParams,
    over: 'company',
    paths: (p) => [{ param: 'company', path: p.company, record: 'company' }],
    evaluate(_p, s, ctx) {
      const c = company(ctx, s);
      return c ? { ok: c.businessLicenceStatus === 'active', detail: c.businessLicenceStatus ?? 'no status on record' } : { ok: false, detail: NO_COMPANY };
    },
  } satisfies CheckType<z.infer<typeof companyParams>>,
  {
    type: 'identity-matches-records',
    compares: 'the name in the form against the name the register (company) or the traffic police (person) hold for the same credit code or ID number',
    source: 'the register the key belongs to',
    defaultTitle: 'name matches',
    params: identityParams,
    over: 'key',
    paths: (p) => [
      { param: 'key', path: p.key, record: p.record },
      { param: 'name', path: p.name },
    ],
    evaluate(p, s, ctx) {
      const declared = resolveFormPath(ctx.form, p.name).find((a) => a.index === s.index)?.value ?? one(ctx, p.name);
      const r = p.record === 'company' ? company(ctx, s) : person(ctx, s);
      if (!r) return { ok: false, detail: p.record === 'company' ? NO_COMPANY : NO_PERSON };
      return { ok: sameName(text(declared), r.name), detail: `${text(declared) || '(no name in the form)'} / ${r.name}` };
    },
  } satisfies CheckType<z.infer<typeof identityParams>>,
  {
    type: 'permit-covers-scope',
    compares: "the scope of the company's business licence or road-transport operating permit: one entry is, or contains, one of the given words or codes",
    source: '道路运输条例 arts. 21, 24; 道路货物运输及站场管理规定 (scope of the permit)',
    defaultTitle: 'scope covers the activity',
    params: scopeParams,
    over: 'company',
    paths: (p) => [{ param: 'company', path: p.company, record: 'company' }],
    evaluate(p, s, ctx) {
      const c = company(ctx, s);
      if (!c) return { ok: false, detail: NO_COMPANY };
      if (p.permit === 'operating-permit' && !c.operatingPermitNo) return { ok: false, detail: 'no operating permit on record, so no scope' };
      const scope = (p.permit === 'business-licence' ? c.businessScope : c.operatingScope) ?? [];
      return { ok: scopeCovers(scope, p.scope) !== undefined, detail: scope.join('、') || `empty scope (needs ${p.scope.join(' or ')})` };
    },
  } satisfies CheckType<z.infer<typeof scopeParams>>,
  {
    type: 'operating-permit-valid',
    compares: "the company's road-transport operating permit (道路运输经营许可证): on record and valid through the day it must be",
    source: '道路运输条例 arts. 21, 24',
    defaultTitle: 'operating permit valid',
    params: strict({ company: formPath, through }),
    over: 'company',
    paths: (p) => [{ param: 'company', path: p.company, record: 'company' }],
    evaluate(p, s, ctx) {
      const c = company(ctx, s);
      if (!c) return { ok: false, detail: NO_COMPANY };
      return documentValid('road-transport operating permit', c.operatingPermitNo ? c.operatingPermitValidUntil : null, dayOf(ctx, p), ctx.today);
    },
  } satisfies CheckType<{ company: string; through?: string | undefined }>,
  {
    type: 'company-not-on-violation-list',
    compares: 'the company against the list of serious over-limit and overload violators (严重违法超限超载失信名单)',
    source: '超限运输车辆行驶公路管理规定 (交通运输部令2016年第62号) ch. 5 and the joint-punishment list [unsure on basis]',
    defaultTitle: 'not on the serious-violation list',
    params: companyParams,
    over: 'company',
    paths: (p) => [{ param: 'company', path: p.company, record: 'company' }],
    evaluate(_p, s, ctx) {
      const c = company(ctx, s);
      if (!c) return { ok: false, detail: NO_COMPANY };
      return c.seriousViolation ? { ok: false, detail: `${c.name} is on the serious-violation list` } : { ok: true, detail: `${c.name} is not on the list` };
    },
  } satisfies CheckType<z.infer<typeof companyParams>>,
  {
    type: 'insurance-valid',
    compares: "the carrier-liability insurance on the holder's record (a company's, or a school's that runs its own bus): valid through the day it must be, and at least the minimum cover when one is set",
    source: '校车安全管理条例 art. 14(5) (school buses); 道路运输条例 art. 35 (passenger and dangerous-goods carriers)',
    defaultTitle: 'carrier liability insurance',
    params: insuranceParams,
    over: 'holder',
    paths: (p) => [
      { param: 'holder', path: p.holder, record: 'insurance' },
      ...(p.declaredValidUntil ? [{ param: 'declaredValidUntil', path: p.declaredValidUntil }] : []),
    ],
    evaluate(p, s, ctx) {
      const r = ctx.records.insurance.get(text(s.value));
      if (!r) return { ok: false, detail: 'the holder is in neither the company nor the school register' };
      const through = dayOf(ctx, p);
      const v = validThrough(r.validUntil, through);
      const declared = one(ctx, p.declaredValidUntil);
      const differs = typeof declared === 'string' && declared !== '' && declared !== r.validUntil ? ` (the form says ${declared})` : '';
      let ok = v.state === 'valid';
      let detail = `${r.holder}: until ${r.validUntil ?? 'none on record'}`;
      if (v.state === 'not-a-date') detail = `${r.holder}: validity '${v.recorded}' on record is not a date`;
      else if (v.state === 'expired' && through !== ctx.today) detail += `, before ${through}`;
      if (p.minCoverYuan !== undefined) {
        const cover = r.coverYuan;
        const enough = typeof cover === 'number' && cover >= p.minCoverYuan;
        ok &&= enough;
        detail += typeof cover === 'number' ? `, cover ${cover} yuan (minimum ${p.minCoverYuan})` : `, no cover amount on record (minimum ${p.minCoverYuan} yuan): check the policy`;
      }
      return { ok, detail: detail + differs };
    },
  } satisfies CheckType<z.infer<typeof insuranceParams>>,
  {
    type: 'vehicle-registered-to-applicant',
    compares: "the owner on the vehicle's registration against the applicant's credit code",
    source: '道路交通安全法 arts. 8, 11 (registration names the owner)',
    defaultTitle: 'vehicle {plate} registered to the applicant',
    params: ownerParams,
    over: 'vehicle',
    paths: (p) => [
      { param: 'vehicle', path: p.vehicle, record: 'vehicle' },
      { param: 'owner', path: p.owner },
      ...(p.ownerName ? [{ param: 'ownerName', path: p.ownerName }] : []),
    ],
    evaluate(p, s, ctx) {
      const v = vehicle(ctx, s);
      if (!v) return { ok: false, detail: NO_VEHICLE };
      const applicant = text(one(ctx, p.owner));
      if (ownedBy(v.ownerKey, applicant)) return { ok: true, detail: `registered to ${text(one(ctx, p.ownerName)) || 'the applicant'}` };
      return { ok: false, detail: `registered to ${ctx.records.ownerNames.get(v.ownerKey) ?? 'an owner in neither register'}, not to the applicant` };
    },
  } satisfies CheckType<z.infer<typeof ownerParams>>,
  vehicleDocument('inspection-valid', 'inspection', 'inspectionValidUntil', "the vehicle's periodic safety inspection: valid through the day it must be", '道路交通安全法 art. 13'),
  vehicleDocument('vehicle-licence-valid', 'driving licence (行驶证)', 'drivingLicenceValidUntil', "the vehicle's driving licence (行驶证): valid through the day it must be", '道路交通安全法 arts. 8, 11'),
  vehicleDocument(
    'road-transport-certificate-valid',
    'road transport certificate',
    'roadTransportCertValidUntil',
    "the vehicle's road transport certificate (道路运输证): valid through the day it must be",
    '道路运输条例 art. 24',
  ),
  {
    type: 'vehicle-meets-standard',
    compares: 'the vehicle registration: recorded as meeting the named standard (school-bus: GB 24407 专用校车 or GB 7258 school-bus requirements)',
    source: '校车安全管理条例 art. 14(1)',
    defaultTitle: 'vehicle meets the {standard} standard',
    params: standardParams,
    over: 'vehicle',
    paths: (p) => [{ param: 'vehicle', path: p.vehicle, record: 'vehicle' }],
    evaluate(_p, s, ctx) {
      const v = vehicle(ctx, s);
      if (!v) return { ok: false, detail: NO_VEHICLE };
      return v.meetsSchoolBusStandard ? { ok: true, detail: 'recorded as meeting the school-bus standard' } : { ok: false, detail: 'not recorded as meeting the school-bus standard' };
    },
  } satisfies CheckType<z.infer<typeof standardParams>>,
  {
    type: 'vehicle-within-bounds',
    compares: "a number on the vehicle's registration (seats, total mass, length or axles) against min and max (both inclusive): the register, not the form, decides",
    source: 'the vehicle rule the step cites (e.g. 网络预约出租汽车经营服务管理暂行办法 art. 12(1): 7座及以下乘用车)',
    defaultTitle: 'vehicle {plate}: {field} within bounds',
    params: vehicleBoundsParams as unknown as z.ZodType<z.infer<typeof vehicleBoundsParams>>,
    over: 'vehicle',
    paths: (p) => [{ param: 'vehicle', path: p.vehicle, record: 'vehicle' }],
    evaluate(p, s, ctx) {
      const v = vehicle(ctx, s);
      if (!v) return { ok: false, detail: NO_VEHICLE };
      const value = v[p.field];
      if (typeof value !== 'number') return { ok: false, detail: `no ${p.field} on record: check the registration` };
      return { ok: withinBounds(value, p), detail: `${p.field} ${value} on record (${boundsText(p)})` };
    },
  } satisfies CheckType<z.infer<typeof vehicleBoundsParams>>,
  {
    type: 'licence-covers-vehicle',
    compares:
      "the driver's licence class (or the police's school-bus endorsement) against the class each vehicle needs by its size category: one finding per driver over all the vehicles",
    source: '机动车驾驶证申领和使用规定 (公安部令第162号) 附件1 (准驾车型); GA 802-2019 表1 (size categories)',
    defaultTitle: 'licence class fits the vehicle',
    params: licenceCoversParams,
    over: 'driver',
    paths: (p) => [
      { param: 'driver', path: p.driver, record: 'person' },
      { param: 'vehicles', path: p.vehicles, record: 'vehicle' },
    ],
    evaluate(p, s, ctx) {
      const driver = person(ctx, s);
      const plates = resolveFormPath(ctx.form, p.vehicles).map((a) => text(a.value));
      const fleet = plates.map((plate) => ({ plate, record: ctx.records.vehicles.get(plate) }));
      const endorsement = p.held === 'school-bus-endorsement';
      const held = endorsement ? driver?.schoolBusEndorsement : driver?.licenceClass;
      const { ok, needs } = licenceAgainstVehicles(held, fleet);
      if (!driver) return { ok: false, detail: NO_DRIVER };
      if (endorsement && !held) return { ok: false, detail: 'no school-bus endorsement (校车驾驶资格) on the licence: the traffic police endorse it first' };
      const heldText = endorsement ? `endorsed for school buses of class ${held}` : `${held ?? 'no licence class recorded'} held`;
      if (!isListPath(p.vehicles) && fleet.length === 1) {
        // One vehicle: say what its size is, so the reviewer sees why it needs the class.
        const [n] = needs;
        const v = fleet[0]!.record;
        const needText = !v || !n?.need ? 'no vehicle record' : n.need.known ? `${n.need.category} (${sizeOf(v)}) needs ${n.need.code}` : n.need.reason;
        return { ok, detail: `${heldText}; ${needText}` };
      }
      // A fleet: any driver may be put on any vehicle, so group the plates by what they need.
      const byNeed = new Map<string, string[]>();
      for (const n of needs) {
        const t = !n.need ? 'no vehicle record' : !n.need.known ? n.need.reason : `${n.need.category} needs ${n.need.code}${n.covered ? '' : ', not held'}`;
        byNeed.set(t, [...(byNeed.get(t) ?? []), n.plate]);
      }
      const list = [...byNeed].map(([t, ps]) => `${ps.join(', ')}: ${t}`).join('; ');
      return { ok, detail: `${heldText}; ${list || 'no vehicles in the form'}` };
    },
  } satisfies CheckType<z.infer<typeof licenceCoversParams>>,
  personDocument('driving-licence-valid', 'driving licence', 'licenceValidUntil', "the driver's licence: valid through the day it must be", '道路交通安全法 art. 19'),
  {
    type: 'qualification-valid',
    compares: "the driver's professional qualification certificate (从业资格证; road-freight): valid through the day it must be",
    source: '道路运输条例 arts. 22-23 (从业资格)',
    defaultTitle: 'qualification valid',
    params: qualificationParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      return r ? documentValid('freight qualification', r.freightQualificationValidUntil, dayOf(ctx, p), ctx.today) : { ok: false, detail: NO_DRIVER };
    },
  } satisfies CheckType<z.infer<typeof qualificationParams>>,
  personDocument(
    'health-declaration-valid',
    'health declaration',
    'healthDeclarationValidUntil',
    "the driver's health declaration (身体条件证明): valid through the day it must be",
    '机动车驾驶证申领和使用规定 (身体条件证明)',
  ),
  {
    type: 'age-within-bounds',
    compares: 'the age in completed years (周岁), from the birth date on record or in the ID number, against min and max (both inclusive)',
    source: 'GB 11643-1999 (birth date in the ID number); the age limits of the rule the step cites',
    defaultTitle: 'age within bounds',
    params: ageParams as unknown as z.ZodType<z.infer<typeof ageParams>>,
    over: 'person',
    // The record only for a birth date it may hold: without one, the ID number gives the age.
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const on = requiredThrough(ctx.today, one(ctx, p.on));
      const r = person(ctx, s);
      const age = ageFrom({ idCard: text(s.value), birthDate: r?.birthDate ?? null }, on);
      if (age === undefined) return { ok: false, detail: 'the ID number gives no valid birth date' };
      return { ok: withinBounds(age, p), detail: `age ${age} (${boundsText(p)})${on === ctx.today ? '' : ` on ${on}`}` };
    },
  } satisfies CheckType<z.infer<typeof ageParams>>,
  {
    type: 'driving-experience',
    compares: "the driver's years of driving experience on record against a minimum",
    source: 'the experience rule of the step (校车安全管理条例 art. 23(1): 3 years)',
    defaultTitle: 'driving experience >= {minYears} years',
    params: experienceParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      if (!r) return { ok: false, detail: NO_DRIVER };
      const years = r.drivingYears ?? 0;
      return { ok: years >= p.minYears, detail: `${years} years` };
    },
  } satisfies CheckType<z.infer<typeof experienceParams>>,
  {
    type: 'no-full-points',
    compares: 'the days the driver reached 12 points (记满分) against the last scoring periods, 12 months each from the day the licence was first issued',
    source: '道路交通安全违法行为记分管理办法 (公安部令第163号) art. 3 (scoring periods)',
    defaultTitle: 'no full-point record in the last {periods} scoring periods',
    params: fullPointParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      if (!r) return { ok: false, detail: NO_DRIVER };
      if (!r.licenceFirstIssuedOn) return { ok: false, detail: 'no first-issue date on record: the scoring periods cannot be counted' };
      const { periods, hits } = fullPointsInPeriods(r.licenceFirstIssuedOn, r.fullPointDates, ctx.today, p.periods);
      if (periods.length === 0) return { ok: false, detail: `first issued ${r.licenceFirstIssuedOn}, after today: check the record` };
      const where = (d: unknown) => {
        const period = periods.find((q) => typeof d === 'string' && d >= q.from && d <= q.to);
        return period ? `${String(d)} (period ${period.from} to ${period.to})` : `${String(d)} (not a date within a period: check the record)`;
      };
      return hits.length === 0
        ? { ok: true, detail: `periods ${periods.map((q) => `${q.from} to ${q.to}`).join(', ')}: none` }
        : { ok: false, detail: `12 points reached on ${hits.map(where).join(', ')}` };
    },
  } satisfies CheckType<z.infer<typeof fullPointParams>>,
  {
    type: 'no-serious-violations',
    compares: "the driver's serious traffic violations (超员, 超速...) on record within the last years up to today (the day a year before counts)",
    source: '校车安全管理条例 art. 23(4) (最近1年内无严重交通违法行为记录)',
    defaultTitle: 'no serious violation in the last year',
    params: violationParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      if (!r) return { ok: false, detail: NO_DRIVER };
      const hits = recordsWithinYears(r.seriousViolations, ctx.today, p.years);
      return hits.length === 0
        ? { ok: true, detail: `none since ${addYears(ctx.today, -p.years)}` }
        : { ok: false, detail: hits.map((v) => `${v.kind} on ${String(v.on)}`).join(', ') };
    },
  } satisfies CheckType<z.infer<typeof violationParams>>,
  {
    type: 'record-clear',
    compares: "the person's record holds no entry of the named kind: liability for a fatal or serious-injury accident, drink-driving, a criminal record",
    source: '校车安全管理条例 art. 23(3)-(5)',
    defaultTitle: 'no {record} record',
    params: recordClearParams,
    over: 'person',
    paths: (p) => [{ param: 'person', path: p.person, record: 'person' }],
    evaluate(p, s, ctx) {
      const r = person(ctx, s);
      if (!r) return { ok: false, detail: NO_DRIVER };
      const flag = RECORD_FLAGS[p.record];
      return r[flag.field] ? { ok: false, detail: flag.onRecord } : { ok: true, detail: 'none on record' };
    },
  } satisfies CheckType<z.infer<typeof recordClearParams>>,
  {
    type: 'declared-true',
    compares: 'a yes/no the applicant declares in the form (a commitment such as a safety management system): it is yes',
    source: 'the rule the step cites for the commitment',
    defaultTitle: 'declared',
    params: declaredParams,
    over: 'value',
    paths: (p) => [{ param: 'value', path: p.value }],
    evaluate(_p, s) {
      return { ok: s.value === true, detail: String(s.value) };
    },
  } satisfies CheckType<z.infer<typeof declaredParams>>,
] as const;

/** Every check type by name. */
export const CHECK_TYPES: ReadonlyMap<string, CheckType> = new Map(TYPES.map((t) => [t.type, t as unknown as CheckType]));

export const CHECK_TYPE_NAMES = TYPES.map((t) => t.type);

/** Fills `{field}` in a title with the addressed entry's fields, or a parameter of the check. */
export function fillTitle(title: string, entry: Record<string, unknown>, params: Record<string, unknown>, index: number): string {
  return title.replace(/\{([A-Za-z_$][A-Za-z0-9_$]*)\}/g, (_m, key: string) => {
    const v = key in entry ? entry[key] : params[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : `#${index + 1}`;
  });
}

/**
 * Runs one check type on a form: one finding per value its `over` parameter addresses. No value at a single path is a
 * failing finding (the form lacks what the check needs); an empty list gives no findings (no drivers, no vehicles).
 */
export function runCheckType(type: CheckType, params: Record<string, unknown>, title: string, ctx: CheckContext, titleZh?: string): Finding[] {
  const overPath = params[type.over] as string;
  const subjects = resolveFormPath(ctx.form, overPath);
  const named = (entry: Record<string, unknown>, index: number) => ({
    check: fillTitle(title, entry, params, index),
    ...(titleZh !== undefined ? { checkZh: fillTitle(titleZh, entry, params, index) } : {}),
  });
  if (subjects.length === 0) {
    return isListPath(overPath) ? [] : [{ ...named({}, 0), ok: false, detail: `the form has no value at ${overPath}` }];
  }
  return subjects.map((s) => {
    let outcome: { ok: boolean; detail: string };
    try {
      outcome = type.evaluate(params, s, ctx);
    } catch (err) {
      // A record or form shape no rule foresaw: a person looks, the other findings stand.
      outcome = { ok: false, detail: `could not be evaluated (${err instanceof Error ? err.name : 'error'}): a person must check it` };
    }
    return { ...named(s.entry, s.index), ...outcome };
  });
}

/** The field of a person path that holds the ID number: never a title placeholder (reports name no ID numbers). */
export function personKeyFields(type: CheckType, params: Record<string, unknown>): string[] {
  return type
    .paths(params)
    .filter((p) => p.record === 'person')
    .map((p) => lastKey(p.path))
    .filter((k): k is string => k !== undefined);
}

