/**
 * Idempotent demo seed: what the government "already holds" so the platform can be tried at once (prefill, automatic
 * checks, certificate reuse). Every identifier carries a correct check character. Running it twice changes nothing.
 * The road restrictions are DEMO data, not real bridge limits.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { creditCodeWithCheck, idCardWithCheck } from '../../domain/identifiers';
import { registerPortalClient } from '../repositories/portal-clients';

export const DEMO = {
  freightCompany: { creditCode: creditCodeWithCheck('91370800MA3C00010'), name: '济宁通达物流有限公司' },
  newCompany: { creditCode: creditCodeWithCheck('91370800MA3C00020'), name: '济宁新开货运有限公司' },
  heavyCarrier: { creditCode: creditCodeWithCheck('91370800MA3C00030'), name: '济宁重型装备运输有限公司' },
  schoolBusCarrier: { creditCode: creditCodeWithCheck('91370800MA3C00040'), name: '济宁安运校车服务有限公司' },
  violator: { creditCode: creditCodeWithCheck('91370800MA3C00050'), name: '济宁违规运输有限公司' },
  school: { creditCode: creditCodeWithCheck('12370800MB0000010'), name: '济宁市任城区实验小学' },
  drivers: {
    freight: { idCard: idCardWithCheck('37080219800101001'), name: '张伟' },
    heavy: { idCard: idCardWithCheck('37080219750315002'), name: '李强' },
    schoolBus: { idCard: idCardWithCheck('37080219850620003'), name: '王芳' },
    tooOld: { idCard: idCardWithCheck('37080219600101004'), name: '赵刚' },
  },
  vehicles: {
    freight1: '鲁H10001',
    freight2: '鲁H10002',
    heavyTractor: '鲁H20001',
    schoolBus: '鲁H30001',
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

export async function seedDemoData(orm: MikroORM): Promise<void> {
  const c = orm.em.fork().getConnection();
  const companies: [string, string, string, string[], string | null, string | null, string[], boolean, string | null][] = [
    // creditCode, name, legal rep, business scope, permit no, permit valid until, operating scope, serious violation, insurance
    [DEMO.freightCompany.creditCode, DEMO.freightCompany.name, '张三', ['道路货物运输（不含危险货物）'], '鲁交运管许可济字370800000001号', FAR, ['普通货运'], false, FAR],
    [DEMO.newCompany.creditCode, DEMO.newCompany.name, '钱七', ['道路货物运输（不含危险货物）', '仓储服务'], null, null, [], false, null],
    [DEMO.heavyCarrier.creditCode, DEMO.heavyCarrier.name, '孙八', ['道路货物运输（不含危险货物）', '大型物件运输'], '鲁交运管许可济字370800000003号', FAR, ['普通货运', '大型物件运输'], false, FAR],
    [DEMO.schoolBusCarrier.creditCode, DEMO.schoolBusCarrier.name, '周九', ['道路旅客运输', '校车服务'], '鲁交运管许可济字370800000004号', FAR, ['校车服务'], false, FAR],
    [DEMO.violator.creditCode, DEMO.violator.name, '吴十', ['道路货物运输（不含危险货物）', '大型物件运输'], '鲁交运管许可济字370800000005号', FAR, ['普通货运', '大型物件运输'], true, FAR],
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
  const people: [string, string, string, number, string, boolean][] = [
    // idCard, name, licence class, driving years, qualification until, full-point record
    [DEMO.drivers.freight.idCard, DEMO.drivers.freight.name, 'B2', 15, FAR, false],
    [DEMO.drivers.heavy.idCard, DEMO.drivers.heavy.name, 'A2', 20, FAR, false],
    [DEMO.drivers.schoolBus.idCard, DEMO.drivers.schoolBus.name, 'A1', 12, FAR, false],
    [DEMO.drivers.tooOld.idCard, DEMO.drivers.tooOld.name, 'A2', 40, PAST, true],
  ];
  for (const [idCard, name, cls, years, qual, fullPoint] of people) {
    await c.execute(
      `insert into person (id_card, name, phone, licence_class, licence_valid_until, driving_years,
         freight_qualification_valid_until, full_point_record) values (?, ?, '13800000000', ?, ?, ?, ?, ?)
       on conflict (id_card) do nothing`,
      [idCard, name, cls, FAR, years, qual, fullPoint],
    );
  }
  const vehicles: [string, string, string, number, string, number, number | null, boolean][] = [
    [DEMO.vehicles.freight1, DEMO.newCompany.creditCode, 'heavy-truck', 3, 'truck', 25000, null, false],
    [DEMO.vehicles.freight2, DEMO.newCompany.creditCode, 'heavy-truck', 2, 'truck', 18000, null, false],
    [DEMO.vehicles.heavyTractor, DEMO.heavyCarrier.creditCode, 'tractor-semitrailer', 6, 'combination', 49000, null, false],
    [DEMO.vehicles.schoolBus, DEMO.schoolBusCarrier.creditCode, 'school-bus', 2, 'truck', 12000, 41, true],
  ];
  for (const [plate, owner, kind, axles, config, mass, seats, schoolBus] of vehicles) {
    await c.execute(
      `insert into vehicle (plate, owner_key, kind, axles, configuration, total_mass_kg, seats, driving_licence_valid_until,
         inspection_valid_until, road_transport_cert_valid_until, meets_school_bus_standard)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (plate) do nothing`,
      [plate, owner, kind, axles, config, mass, seats, FAR, FAR, FAR, schoolBus],
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
