/**
 * Idempotent demo seed: what the government "already holds" so the platform can be tried at once (prefill, automatic
 * checks, certificate reuse). Every identifier carries a correct check character. Running it twice changes nothing.
 * The road restrictions are DEMO data, not real bridge limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/calendar';
import { civilFromDays, daysFromCivil, formatCivil, parseCivilDate } from '../../domain/civil-date';
import { creditCodeWithCheck, idCardWithCheck, isValidCreditCode, isValidIdCardNumber, isValidPlate } from '../../domain/identifiers';
import { registerPortalClient } from '../repositories/portal-clients';

export const DEMO = {
  freightCompany: { creditCode: creditCodeWithCheck('91370800MA3C00010'), name: '济宁通达物流有限公司' },
  newCompany: { creditCode: creditCodeWithCheck('91370800MA3C00020'), name: '济宁新开货运有限公司' },
  heavyCarrier: { creditCode: creditCodeWithCheck('91370800MA3C00030'), name: '济宁重型装备运输有限公司' },
  schoolBusCarrier: { creditCode: creditCodeWithCheck('91370800MA3C00040'), name: '济宁安运校车服务有限公司' },
  violator: { creditCode: creditCodeWithCheck('91370800MA3C00050'), name: '济宁违规运输有限公司' },
  /** A school-bus company whose carrier-liability insurance has lapsed (校车安全管理条例 art. 14(5) fails). */
  lapsedCarrier: { creditCode: creditCodeWithCheck('91370800MA3C00060'), name: '济宁安途校车服务有限公司' },
  school: { creditCode: creditCodeWithCheck('12370800MB0000010'), name: '济宁市任城区实验小学' },
  drivers: {
    freight: { idCard: idCardWithCheck('37080219800101001'), name: '张伟' },
    heavy: { idCard: idCardWithCheck('37080219750315002'), name: '李强' },
    schoolBus: { idCard: idCardWithCheck('37080219850620003'), name: '王芳' },
    tooOld: { idCard: idCardWithCheck('37080219600101004'), name: '赵刚' },
    // Each of these fails exactly one school-bus driver rule with the example's bus (and passes every other).
    schoolBusUnendorsed: { idCard: idCardWithCheck('37080219830412005'), name: '陈静' },
    schoolBusViolation: { idCard: idCardWithCheck('37080219790908006'), name: '刘洋' },
    schoolBusHealthExpired: { idCard: idCardWithCheck('37080219820225007'), name: '杨敏' },
    schoolBusFullPoints: { idCard: idCardWithCheck('37080219771130008'), name: '黄磊' },
    /** B1 (中型客车) with a B1 school-bus endorsement: the example's 41-seat bus needs A1. */
    schoolBusMidsizeOnly: { idCard: idCardWithCheck('37080219860514009'), name: '周涛' },
    /** C1 only: may not drive the example's heavy trucks (B2 needed). */
    freightC1Only: { idCard: idCardWithCheck('37080219880808010'), name: '吴军' },
  },
  vehicles: {
    freight1: '鲁H10001',
    freight2: '鲁H10002',
    /** A heavy truck registered to another company (济宁通达物流), not to the freight example's applicant. */
    freightOtherOwner: '鲁H10003',
    heavyTractor: '鲁H20001',
    schoolBus: '鲁H30001',
    /** The lapsed carrier's own school bus. */
    lapsedCarrierBus: '鲁H30002',
  },
  /** Registered portal clients (tokens: `npm run token -- --role portal --sub city-portal`). */
  portalClients: [
    { id: 'city-portal', name: '济宁市政务服务网（演示）', callbackOrigins: ['https://portal.jining.example.cn'] },
    { id: 'county-portal', name: '任城区政务服务APP（演示）', callbackOrigins: [] as string[] },
  ],
  reviewers: [
    { id: 'edu-01', name: '刘老师', department: 'education' },
    { id: 'ps-01', name: '陈警官', department: 'public_security' },
    { id: 'tr-01', name: '孙科长', department: 'transport' },
    { id: 'mr-01', name: '周科长', department: 'market_regulation' },
    { id: 'ur-01', name: '吴工', department: 'urban_roads' },
    { id: 'gov-01', name: '郑主任', department: 'government_office' },
  ],
} as const;

const FAR = '2030-12-31';
const PAST = '2025-06-30';

/** The day `days` before `date` ('YYYY-MM-DD'). */
function daysBefore(date: string, days: number): string {
  const c = parseCivilDate(date)!;
  return formatCivil(civilFromDays(daysFromCivil(c.y, c.m, c.d) - days));
}

/**
 * `now` dates the records whose meaning is relative to the day (a violation "in the last year", full points "in the
 * last three scoring periods"). They are written when a row is first seeded and not moved by later runs, so a second
 * run changes nothing; on a database seeded long ago they age like real records would.
 */
export async function seedDemoData(orm: MikroORM, now = Date.now()): Promise<void> {
  const today = shanghaiDate(now);
  const c = orm.em.fork().getConnection();
  const companies: [string, string, string, string[], string | null, string | null, string[], boolean, string | null][] = [
    // creditCode, name, legal rep, business scope, permit no, permit valid until, operating scope, serious violation, insurance
    [DEMO.freightCompany.creditCode, DEMO.freightCompany.name, '张三', ['道路货物运输（不含危险货物）'], '鲁交运管许可济字370800000001号', FAR, ['普通货运'], false, FAR],
    [DEMO.newCompany.creditCode, DEMO.newCompany.name, '钱七', ['道路货物运输（不含危险货物）', '仓储服务'], null, null, [], false, null],
    [DEMO.heavyCarrier.creditCode, DEMO.heavyCarrier.name, '孙八', ['道路货物运输（不含危险货物）', '大型物件运输'], '鲁交运管许可济字370800000003号', FAR, ['普通货运', '大型物件运输'], false, FAR],
    [DEMO.schoolBusCarrier.creditCode, DEMO.schoolBusCarrier.name, '周九', ['道路旅客运输', '校车服务'], '鲁交运管许可济字370800000004号', FAR, ['校车服务'], false, FAR],
    [DEMO.violator.creditCode, DEMO.violator.name, '吴十', ['道路货物运输（不含危险货物）', '大型物件运输'], '鲁交运管许可济字370800000005号', FAR, ['普通货运', '大型物件运输'], true, FAR],
    [DEMO.lapsedCarrier.creditCode, DEMO.lapsedCarrier.name, '郑十一', ['道路旅客运输', '校车服务'], '鲁交运管许可济字370800000006号', FAR, ['校车服务'], false, PAST],
  ];
  for (const [code, name, rep, scope, permit, permitUntil, opScope, violation, insurance] of companies) {
    await c.execute(
      `insert into company (credit_code, name, legal_representative, address, business_scope, business_licence_status,
         operating_permit_no, operating_permit_valid_until, operating_scope, serious_violation, liability_insurance_valid_until)
       values (?, ?, ?, '山东省济宁市任城区示例路1号', ?, 'active', ?, ?, ?, ?, ?) on conflict (credit_code) do nothing`,
      [code, name, rep, JSON.stringify(scope), permit, permitUntil, JSON.stringify(opScope), violation, insurance],
    );
  }
  await c.execute(
    `insert into school (credit_code, name, address) values (?, ?, '山东省济宁市任城区学府路8号') on conflict do nothing`,
    [DEMO.school.creditCode, DEMO.school.name],
  );
  const d = DEMO.drivers;
  // Full points reached about 14 months ago: within the last three scoring periods whatever the first-issue day.
  const recentFullPoints = [daysBefore(today, 425)];
  const recentSpeeding = [{ on: daysBefore(today, 90), kind: '驾驶客运车辆超速' }];
  const people: {
    who: { idCard: string; name: string };
    cls: string;
    years: number;
    qualification: string;
    firstIssued: string;
    endorsement?: string;
    fullPoints?: string[];
    violations?: { on: string; kind: string }[];
    health?: string;
  }[] = [
    { who: d.freight, cls: 'B2', years: 15, qualification: FAR, firstIssued: '2011-04-18', health: FAR },
    { who: d.heavy, cls: 'A2', years: 20, qualification: FAR, firstIssued: '2006-09-05', health: FAR },
    { who: d.schoolBus, cls: 'A1', years: 12, qualification: FAR, firstIssued: '2014-03-15', endorsement: 'A1', health: FAR },
    { who: d.tooOld, cls: 'A2', years: 40, qualification: PAST, firstIssued: '1986-05-20', fullPoints: recentFullPoints, health: PAST },
    { who: d.schoolBusUnendorsed, cls: 'A1', years: 10, qualification: FAR, firstIssued: '2016-06-01', health: FAR },
    { who: d.schoolBusViolation, cls: 'A1', years: 18, qualification: FAR, firstIssued: '2008-10-10', endorsement: 'A1', violations: recentSpeeding, health: FAR },
    { who: d.schoolBusHealthExpired, cls: 'A1', years: 14, qualification: FAR, firstIssued: '2012-02-29', endorsement: 'A1', health: PAST },
    { who: d.schoolBusFullPoints, cls: 'A1', years: 22, qualification: FAR, firstIssued: '2004-12-01', endorsement: 'A1', fullPoints: recentFullPoints, health: FAR },
    { who: d.schoolBusMidsizeOnly, cls: 'B1', years: 9, qualification: FAR, firstIssued: '2017-05-14', endorsement: 'B1', health: FAR },
    { who: d.freightC1Only, cls: 'C1', years: 8, qualification: FAR, firstIssued: '2018-08-20', health: FAR },
  ];
  for (const p of people) {
    // A row seeded before these records existed (no first-issue day) gets them once; a later run changes nothing.
    await c.execute(
      `insert into person (id_card, name, phone, licence_class, licence_valid_until, driving_years, freight_qualification_valid_until,
         licence_first_issued_on, school_bus_endorsement, full_point_dates, serious_violations, health_declaration_valid_until)
       values (?, ?, '13800000000', ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id_card) do update set licence_first_issued_on = excluded.licence_first_issued_on,
         school_bus_endorsement = excluded.school_bus_endorsement, full_point_dates = excluded.full_point_dates,
         serious_violations = excluded.serious_violations, health_declaration_valid_until = excluded.health_declaration_valid_until
       where person.licence_first_issued_on is null`,
      [
        p.who.idCard,
        p.who.name,
        p.cls,
        FAR,
        p.years,
        p.qualification,
        p.firstIssued,
        p.endorsement ?? null,
        JSON.stringify(p.fullPoints ?? []),
        JSON.stringify(p.violations ?? []),
        p.health ?? null,
      ],
    );
  }
  const vehicles: [string, string, string, number, string, number, number, number | null, boolean][] = [
    // plate, owner, kind, axles, configuration, total mass kg, length mm, seats, meets the school-bus standard
    [DEMO.vehicles.freight1, DEMO.newCompany.creditCode, 'heavy-truck', 3, 'truck', 25000, 9000, null, false],
    [DEMO.vehicles.freight2, DEMO.newCompany.creditCode, 'heavy-truck', 2, 'truck', 18000, 8500, null, false],
    [DEMO.vehicles.freightOtherOwner, DEMO.freightCompany.creditCode, 'heavy-truck', 2, 'truck', 18000, 8500, null, false],
    [DEMO.vehicles.heavyTractor, DEMO.heavyCarrier.creditCode, 'tractor-semitrailer', 6, 'combination', 49000, 16500, null, false],
    [DEMO.vehicles.schoolBus, DEMO.schoolBusCarrier.creditCode, 'school-bus', 2, 'truck', 12000, 10400, 41, true],
    [DEMO.vehicles.lapsedCarrierBus, DEMO.lapsedCarrier.creditCode, 'school-bus', 2, 'truck', 12000, 10400, 41, true],
  ];
  for (const [plate, owner, kind, axles, config, mass, length, seats, schoolBus] of vehicles) {
    await c.execute(
      `insert into vehicle (plate, owner_key, kind, axles, configuration, total_mass_kg, length_mm, seats, driving_licence_valid_until,
         inspection_valid_until, road_transport_cert_valid_until, meets_school_bus_standard)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (plate) do update set length_mm = excluded.length_mm where vehicle.length_mm is null`,
      [plate, owner, kind, axles, config, mass, length, seats, FAR, FAR, FAR, schoolBus],
    );
  }
  for (const r of DEMO.reviewers) {
    await c.execute(`insert into reviewer (id, name, department) values (?, ?, ?) on conflict (id) do nothing`, [r.id, r.name, r.department]);
  }
  // Each client gets its own random webhook secret when first registered (never a constant in git); a second seed run
  // keeps the secret the client already holds.
  for (const client of DEMO.portalClients) {
    await registerPortalClient(orm.em.fork(), { ...client, callbackOrigins: [...client.callbackOrigins] });
  }
  await seedReferenceFiles(orm);
  const restrictions: [string, string, string, number | null, number | null, number | null][] = [
    ['DEMO-B-001', 'bridge', '【演示】京杭运河大桥', 55000, null, null],
    ['DEMO-B-002', 'bridge', '【演示】洸府河桥', 40000, null, null],
    ['DEMO-T-001', 'underpass', '【演示】火炬路铁路下穿', null, 4500, null],
    ['DEMO-T-002', 'tunnel', '【演示】九仙山隧道', null, 5000, 4000],
    ['DEMO-N-001', 'narrow', '【演示】古槐路窄路段', null, null, 3500],
    ['DEMO-R-001', 'road', '【演示】G327国道济宁段', null, null, null],
  ];
  for (const [id, kind, name, mass, height, width] of restrictions) {
    await c.execute(
      `insert into road_restriction (id, kind, name, max_gross_mass_kg, max_height_mm, max_width_mm, demo)
       values (?, ?, ?, ?, ?, ?, true) on conflict (id) do nothing`,
      [id, kind, name, mass, height, width],
    );
  }
}

// ---- Reference records as data ----

/**
 * More demo records of what the government holds, as data: every `*.json` under data/reference (or REFERENCE_DATA_DIRS,
 * a list separated by the path delimiter), so a service added as data brings the records its checks read without a
 * code change. Validated before anything is written; identifiers must carry correct check characters. Idempotent.
 */
const civilDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const referenceFileSchema = z.strictObject({
  $comment: z.string().optional(),
  companies: z
    .array(
      z.strictObject({
        creditCode: z.string().refine(isValidCreditCode, 'a credit code with its check character'),
        name: z.string().min(1).max(200),
        legalRepresentative: z.string().min(1).max(100),
        address: z.string().min(1).max(300).default('山东省济宁市任城区示例路1号'),
        businessScope: z.array(z.string().min(1)),
        businessLicenceStatus: z.enum(['active', 'revoked', 'cancelled']).default('active'),
        operatingPermitNo: z.string().max(64).nullable().default(null),
        operatingPermitValidUntil: civilDay.nullable().default(null),
        operatingScope: z.array(z.string().min(1)).default([]),
        seriousViolation: z.boolean().default(false),
        liabilityInsuranceValidUntil: civilDay.nullable().default(null),
      }),
    )
    .default([]),
  people: z
    .array(
      z.strictObject({
        idCard: z.string().refine((s) => isValidIdCardNumber(s), 'an ID number with its check character'),
        name: z.string().min(1).max(100),
        licenceClass: z.string().max(8).nullable().default(null),
        licenceValidUntil: civilDay.nullable().default(null),
        licenceFirstIssuedOn: civilDay.nullable().default(null),
        drivingYears: z.number().int().min(0).max(80).nullable().default(null),
        freightQualificationValidUntil: civilDay.nullable().default(null),
        healthDeclarationValidUntil: civilDay.nullable().default(null),
        fullPointDates: z.array(civilDay).default([]),
        seriousViolations: z.array(z.strictObject({ on: civilDay, kind: z.string().min(1) })).default([]),
        seriousAccident: z.boolean().default(false),
        drinkDriving: z.boolean().default(false),
        criminalRecord: z.boolean().default(false),
      }),
    )
    .default([]),
  vehicles: z
    .array(
      z.strictObject({
        plate: z.string().refine(isValidPlate, 'a plate number'),
        ownerKey: z.string().refine((k) => isValidCreditCode(k) || isValidIdCardNumber(k), "the owner's credit code or ID number"),
        kind: z.string().min(1).max(32),
        axles: z.number().int().min(2).max(20),
        configuration: z.string().min(1).max(16),
        totalMassKg: z.number().int().positive(),
        lengthMm: z.number().int().positive().nullable().default(null),
        seats: z.number().int().positive().nullable().default(null),
        drivingLicenceValidUntil: civilDay.nullable().default(null),
        inspectionValidUntil: civilDay.nullable().default(null),
        roadTransportCertValidUntil: civilDay.nullable().default(null),
        meetsSchoolBusStandard: z.boolean().default(false),
      }),
    )
    .default([]),
});
export type ReferenceFile = z.infer<typeof referenceFileSchema>;

export function referenceDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.REFERENCE_DATA_DIRS?.split(path.delimiter).filter(Boolean);
  return listed?.length ? listed : [path.resolve(__dirname, '../../data/reference')];
}

/** Every reference file, parsed and checked; a bad file is an error naming the file and the field. */
export function loadReferenceFiles(dirs: string[] = referenceDataDirs()): { file: string; data: ReferenceFile }[] {
  const files = dirs.flatMap((dir) =>
    fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f)) : [],
  );
  return files.map((file) => {
    const parsed = referenceFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw new Error(`${file}: ${first.path.join('.') || '(file)'}: ${first.message}`);
    }
    return { file, data: parsed.data };
  });
}

async function seedReferenceFiles(orm: MikroORM, dirs?: string[]): Promise<void> {
  const c = orm.em.fork().getConnection();
  for (const { data } of loadReferenceFiles(dirs)) {
    for (const co of data.companies) {
      await c.execute(
        `insert into company (credit_code, name, legal_representative, address, business_scope, business_licence_status,
           operating_permit_no, operating_permit_valid_until, operating_scope, serious_violation, liability_insurance_valid_until)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (credit_code) do nothing`,
        [co.creditCode, co.name, co.legalRepresentative, co.address, JSON.stringify(co.businessScope), co.businessLicenceStatus, co.operatingPermitNo,
          co.operatingPermitValidUntil, JSON.stringify(co.operatingScope), co.seriousViolation, co.liabilityInsuranceValidUntil],
      );
    }
    for (const p of data.people) {
      await c.execute(
        `insert into person (id_card, name, phone, licence_class, licence_valid_until, driving_years, freight_qualification_valid_until,
           licence_first_issued_on, full_point_dates, serious_violations, health_declaration_valid_until, serious_accident, drink_driving, criminal_record)
         values (?, ?, '13800000000', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id_card) do nothing`,
        [p.idCard, p.name, p.licenceClass, p.licenceValidUntil, p.drivingYears, p.freightQualificationValidUntil, p.licenceFirstIssuedOn,
          JSON.stringify(p.fullPointDates), JSON.stringify(p.seriousViolations), p.healthDeclarationValidUntil, p.seriousAccident, p.drinkDriving, p.criminalRecord],
      );
    }
    for (const v of data.vehicles) {
      await c.execute(
        `insert into vehicle (plate, owner_key, kind, axles, configuration, total_mass_kg, length_mm, seats, driving_licence_valid_until,
           inspection_valid_until, road_transport_cert_valid_until, meets_school_bus_standard)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (plate) do nothing`,
        [v.plate, v.ownerKey, v.kind, v.axles, v.configuration, v.totalMassKg, v.lengthMm, v.seats, v.drivingLicenceValidUntil,
          v.inspectionValidUntil, v.roadTransportCertValidUntil, v.meetsSchoolBusStandard],
      );
    }
  }
}
