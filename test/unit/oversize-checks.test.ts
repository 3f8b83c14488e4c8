/**
 * The oversize pre-review (5 categories, 21 checks), table-driven on the boundary values of DOMAIN.md: each check
 * passes and fails (or needs review) at least once, from one baseline that passes all 21.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { oversizeCargoExample } from '../../api/schemas/examples';
import { creditCodeWithCheck, idCardWithCheck } from '../../domain/identifiers';
import {
  CHECK_CATEGORIES,
  OVERSIZE_CHECKS,
  applicableGrossMassLimit,
  classifyOversize,
  formatNumber,
  grossMassLimit,
  runOversizeChecks,
  validateOversizeApplication,
} from '../../domain/oversize';
import type { CheckVerdict, OversizeApplication, OversizeReferenceData } from '../../domain/oversize';

const DRIVER_ID = idCardWithCheck('37080219700315123'); // born 1970-03-15
const COMPANY = creditCodeWithCheck('91370800MA3C12345');
const OTHER_COMPANY = creditCodeWithCheck('91370800MA3C99999');

/** Category I over-limit (4,100 mm high), 5-axle flatbed combination, one night trip inside 22:00-06:00. */
function baselineApp(): OversizeApplication {
  return {
    cargo: { name: 'Power transformer 变压器', divisible: false, lengthMm: 9000, widthMm: 2400, heightMm: 3200, massKg: 26000 },
    vehicle: {
      plate: '鲁H12345',
      axles: 5,
      configuration: 'combination',
      driveAxles: 2,
      curbMassKg: 16000,
      wheelbaseMm: 3500,
      tyres: 18,
      flatbed: true,
    },
    loaded: {
      lengthMm: 16500,
      widthMm: 2500,
      heightMm: 4100,
      grossMassKg: 42000,
      axleLoadsKg: [6000, 9000, 9000, 9000, 9000],
    },
    route: {
      originCity: '济宁市任城区',
      destinationCity: '邹城市',
      segmentIds: ['S1', 'S2', 'S3'],
      travelFrom: '2026-03-10T22:30:00+08:00',
      travelTo: '2026-03-11T04:00:00+08:00',
      tripKind: 'single',
    },
    driverIdCard: DRIVER_ID,
    escortStaff: [],
    documents: { escortPlan: false, outlineDrawing: false },
  };
}

function baselineRef(): OversizeReferenceData {
  return {
    company: {
      creditCode: COMPANY,
      name: '济宁示例大件运输有限公司',
      operatingPermit: { no: '鲁交运管许可济字370800001234号', validUntil: '2028-12-31', scope: ['道路普通货物运输', '大型物件运输'] },
      seriousViolation: false,
      liabilityInsuranceValidUntil: '2026-12-31',
    },
    driver: {
      idCard: DRIVER_ID,
      name: '张三',
      birthDate: '1970-03-15',
      licenceClass: 'A2',
      licenceValidUntil: '2030-01-01',
      freightQualificationValidUntil: '2027-06-30',
    },
    vehicle: {
      plate: '鲁H12345',
      ownerCreditCode: COMPANY,
      axles: 5,
      configuration: 'combination',
      drivingLicenceValidUntil: '2030-01-01',
      inspectionValidUntil: '2026-09-30',
      roadTransportCertValidUntil: '2027-01-31',
    },
    roadRestrictions: [
      { id: 'B1', kind: 'bridge', name: '洸府河桥 (demo)', segmentId: 'S1', maxGrossMassKg: 55000, demo: true },
      { id: 'U1', kind: 'underpass', name: '铁路涵洞 (demo)', segmentId: 'S2', maxHeightMm: 4500, demo: true },
      { id: 'T1', kind: 'tunnel', name: '示例隧道 (demo)', segmentId: 'S3', maxHeightMm: 5000, demo: true },
      { id: 'N1', kind: 'narrow', name: '狭窄路段 (demo)', segmentId: 'S3', maxWidthMm: 3000, demo: true },
    ],
    jurisdiction: { name: '济宁市', cities: ['济宁市', '任城区', '兖州区', '曲阜市', '邹城市'] },
    travelWindow: { fromHour: 22, toHour: 6 },
    today: '2026-03-02',
  };
}

type Mutation = (app: OversizeApplication, ref: OversizeReferenceData) => void;

interface Row {
  id: string;
  verdict: CheckVerdict;
  name: string;
  mutate?: Mutation;
  /** A fragment the explanation must contain (the values and limits a reviewer reads). */
  explains?: string;
}

const restriction = (ref: OversizeReferenceData, id: string) => {
  const r = ref.roadRestrictions.find((x) => x.id === id);
  if (!r) throw new Error(`no restriction ${id}`);
  return r;
};
const driver = (ref: OversizeReferenceData) => ref.driver!;
const vehicle = (ref: OversizeReferenceData) => ref.vehicle!;
const company = (ref: OversizeReferenceData) => ref.company!;

/** Last travel day of the baseline: certificates must be valid through it. */
const LAST_DAY = '2026-03-11';
const DAY_BEFORE = '2026-03-10';

const ROWS: Row[] = [
  // ---- P1 licence class + validity ----
  { id: 'P1', verdict: 'pass', name: 'A2 drives a combination', explains: 'covers A2' },
  {
    id: 'P1',
    verdict: 'pass',
    name: 'B2 drives a rigid truck',
    mutate: (a, r) => {
      a.vehicle.configuration = 'truck';
      vehicle(r).configuration = 'truck';
      driver(r).licenceClass = 'B2';
    },
  },
  { id: 'P1', verdict: 'pass', name: 'A2 covers B2 on a truck', mutate: (a, r) => { a.vehicle.configuration = 'truck'; vehicle(r).configuration = 'truck'; } },
  { id: 'P1', verdict: 'fail', name: 'B2 on a combination', mutate: (_a, r) => { driver(r).licenceClass = 'B2'; }, explains: 'needs A2' },
  { id: 'P1', verdict: 'pass', name: 'licence valid through the last travel day', mutate: (_a, r) => { driver(r).licenceValidUntil = LAST_DAY; } },
  { id: 'P1', verdict: 'fail', name: 'licence expires the day before', mutate: (_a, r) => { driver(r).licenceValidUntil = DAY_BEFORE; }, explains: `valid until ${DAY_BEFORE}, before ${LAST_DAY}` },
  { id: 'P1', verdict: 'needs_review', name: 'driver unknown', mutate: (_a, r) => { r.driver = null; }, explains: 'not in the government' },
  // ---- P2 freight qualification ----
  { id: 'P2', verdict: 'pass', name: 'valid through the last travel day', mutate: (_a, r) => { driver(r).freightQualificationValidUntil = LAST_DAY; } },
  { id: 'P2', verdict: 'fail', name: 'expired the day before', mutate: (_a, r) => { driver(r).freightQualificationValidUntil = DAY_BEFORE; } },
  { id: 'P2', verdict: 'fail', name: 'none on record', mutate: (_a, r) => { driver(r).freightQualificationValidUntil = null; }, explains: 'No freight qualification' },
  { id: 'P2', verdict: 'needs_review', name: 'driver unknown', mutate: (_a, r) => { r.driver = null; } },
  // ---- P3 age <= 60 on the last travel day ----
  { id: 'P3', verdict: 'pass', name: 'age 60 (61st birthday the day after the trip)', mutate: (_a, r) => { driver(r).birthDate = '1965-03-12'; }, explains: 'Driver is 60 on 2026-03-11' },
  { id: 'P3', verdict: 'fail', name: 'age 61 (birthday on the last travel day)', mutate: (_a, r) => { driver(r).birthDate = '1965-03-11'; }, explains: 'Driver is 61 on 2026-03-11, over 60' },
  { id: 'P3', verdict: 'pass', name: 'birth date from the identity card when the record has none', mutate: (_a, r) => { driver(r).birthDate = ''; }, explains: 'Driver is 55' },
  { id: 'P3', verdict: 'needs_review', name: 'driver unknown', mutate: (_a, r) => { r.driver = null; } },
  // ---- P4 escort staff (category III) ----
  { id: 'P4', verdict: 'pass', name: 'category I needs no escort', explains: 'no escort required' },
  { id: 'P4', verdict: 'pass', name: 'category II (3,750 mm wide) needs no escort', mutate: (a) => { a.loaded.widthMm = 3750; } },
  { id: 'P4', verdict: 'fail', name: 'category III (3,760 mm wide) without escort staff', mutate: (a) => { a.loaded.widthMm = 3760; }, explains: 'Category III needs an escort' },
  { id: 'P4', verdict: 'pass', name: 'category III with escort staff', mutate: (a) => { a.loaded.widthMm = 3760; a.escortStaff = ['李四', '王五']; } },
  // ---- C1 operating permit ----
  { id: 'C1', verdict: 'pass', name: 'valid through the last travel day', mutate: (_a, r) => { company(r).operatingPermit!.validUntil = LAST_DAY; } },
  { id: 'C1', verdict: 'fail', name: 'expired the day before', mutate: (_a, r) => { company(r).operatingPermit!.validUntil = DAY_BEFORE; } },
  { id: 'C1', verdict: 'fail', name: 'no permit', mutate: (_a, r) => { company(r).operatingPermit = null; }, explains: 'No road transport operating permit' },
  { id: 'C1', verdict: 'fail', name: "'' on record means none", mutate: (_a, r) => { company(r).operatingPermit!.validUntil = ''; } },
  { id: 'C1', verdict: 'needs_review', name: 'company not in the register', mutate: (_a, r) => { r.company = null; } },
  // ---- C2 scope ----
  { id: 'C2', verdict: 'pass', name: "scope code 'bulky_cargo'", mutate: (_a, r) => { company(r).operatingPermit!.scope = ['bulky_cargo']; } },
  { id: 'C2', verdict: 'fail', name: 'general freight only', mutate: (_a, r) => { company(r).operatingPermit!.scope = ['道路普通货物运输']; }, explains: 'does not include bulky cargo' },
  { id: 'C2', verdict: 'fail', name: 'no permit', mutate: (_a, r) => { company(r).operatingPermit = null; } },
  // ---- C3 serious violation ----
  { id: 'C3', verdict: 'pass', name: 'not listed' },
  { id: 'C3', verdict: 'fail', name: 'listed', mutate: (_a, r) => { company(r).seriousViolation = true; }, explains: 'on the serious-violation list' },
  // ---- C4 liability insurance ----
  { id: 'C4', verdict: 'pass', name: 'valid through the last travel day', mutate: (_a, r) => { company(r).liabilityInsuranceValidUntil = LAST_DAY; } },
  { id: 'C4', verdict: 'fail', name: 'expired the day before', mutate: (_a, r) => { company(r).liabilityInsuranceValidUntil = DAY_BEFORE; } },
  { id: 'C4', verdict: 'fail', name: 'none on record', mutate: (_a, r) => { company(r).liabilityInsuranceValidUntil = null; } },
  // ---- V1 owner + driving licence ----
  { id: 'V1', verdict: 'pass', name: 'owned by the applicant, licence valid', explains: 'Registered to' },
  { id: 'V1', verdict: 'fail', name: 'registered to another company', mutate: (_a, r) => { vehicle(r).ownerCreditCode = OTHER_COMPANY; }, explains: `not to the applicant ${COMPANY}` },
  { id: 'V1', verdict: 'fail', name: 'driving licence expired the day before', mutate: (_a, r) => { vehicle(r).drivingLicenceValidUntil = DAY_BEFORE; } },
  { id: 'V1', verdict: 'needs_review', name: 'plate unknown', mutate: (_a, r) => { r.vehicle = null; }, explains: 'not in the vehicle records' },
  // ---- V2 inspection ----
  { id: 'V2', verdict: 'pass', name: 'valid through the last travel day', mutate: (_a, r) => { vehicle(r).inspectionValidUntil = LAST_DAY; } },
  { id: 'V2', verdict: 'fail', name: 'expired the day before', mutate: (_a, r) => { vehicle(r).inspectionValidUntil = DAY_BEFORE; } },
  { id: 'V2', verdict: 'needs_review', name: 'plate unknown', mutate: (_a, r) => { r.vehicle = null; } },
  // ---- V3 road transport certificate ----
  { id: 'V3', verdict: 'pass', name: 'valid', explains: 'valid until 2027-01-31' },
  { id: 'V3', verdict: 'fail', name: 'none on record', mutate: (_a, r) => { vehicle(r).roadTransportCertValidUntil = null; } },
  { id: 'V3', verdict: 'fail', name: 'expired before today', mutate: (_a, r) => { vehicle(r).roadTransportCertValidUntil = '2026-03-01'; } },
  // ---- V4 axles and configuration ----
  { id: 'V4', verdict: 'pass', name: 'as registered' },
  { id: 'V4', verdict: 'fail', name: 'registered with 6 axles', mutate: (_a, r) => { vehicle(r).axles = 6; }, explains: 'declared 5 axles, registered 6' },
  { id: 'V4', verdict: 'fail', name: 'registered as a truck', mutate: (_a, r) => { vehicle(r).configuration = 'truck'; }, explains: 'declared combination, registered truck' },
  // ---- V5 refusal axle loads (flatbed: average 10,000, max 13,000) ----
  { id: 'V5', verdict: 'pass', name: 'heaviest axle exactly 13,000 kg', mutate: (a) => { a.loaded.axleLoadsKg = [6000, 13000, 9000, 9000, 5000]; } },
  { id: 'V5', verdict: 'fail', name: 'heaviest axle 13,001 kg', mutate: (a) => { a.loaded.axleLoadsKg = [6000, 13001, 9000, 9000, 4999]; }, explains: 'axle 2 load 13,001 kg exceeds 13,000 kg' },
  { id: 'V5', verdict: 'pass', name: 'average exactly 10,000 kg', mutate: (a) => { a.loaded.axleLoadsKg = [10000, 10000, 10000, 10000, 10000]; } },
  { id: 'V5', verdict: 'fail', name: 'average 10,001 kg', mutate: (a) => { a.loaded.axleLoadsKg = [10000, 10000, 10000, 10000, 10005]; }, explains: 'average axle load 10,001 kg exceeds 10,000 kg' },
  { id: 'V5', verdict: 'needs_review', name: 'not a flatbed, heaviest axle 13,001 kg', mutate: (a) => { a.vehicle.flatbed = false; a.loaded.axleLoadsKg = [6000, 13001, 9000, 9000, 4999]; } },
  // ---- R1 jurisdiction ----
  { id: 'R1', verdict: 'pass', name: 'both ends in Jining' },
  { id: 'R1', verdict: 'fail', name: 'origin outside: the origin authority takes it', mutate: (a) => { a.route.originCity = '菏泽市'; }, explains: '起运地 菏泽市' },
  { id: 'R1', verdict: 'needs_review', name: 'destination outside', mutate: (a) => { a.route.destinationCity = '徐州市'; }, explains: 'accepts the case as the origin authority' },
  // ---- R2 bridges (5-axle 43,000 / 43,001 kg) ----
  { id: 'R2', verdict: 'pass', name: 'bridge for 43,000 kg, gross 43,000 kg', mutate: (a, r) => { restriction(r, 'B1').maxGrossMassKg = 43000; a.loaded.grossMassKg = 43000; } },
  { id: 'R2', verdict: 'fail', name: 'bridge for 43,000 kg, gross 43,001 kg', mutate: (a, r) => { restriction(r, 'B1').maxGrossMassKg = 43000; a.loaded.grossMassKg = 43001; }, explains: 'Gross mass 43,001 kg exceeds: bridge' },
  { id: 'R2', verdict: 'needs_review', name: 'bridge without a recorded capacity', mutate: (_a, r) => { restriction(r, 'B1').maxGrossMassKg = null; }, explains: 'No recorded limit' },
  { id: 'R2', verdict: 'pass', name: 'no bridge on the route', mutate: (_a, r) => { r.roadRestrictions = r.roadRestrictions.filter((x) => x.kind !== 'bridge'); } },
  // ---- R3 tunnels and underpasses (4,000 / 4,010 mm) ----
  { id: 'R3', verdict: 'pass', name: 'underpass 4,000 mm, loaded 4,000 mm', mutate: (a, r) => { restriction(r, 'U1').maxHeightMm = 4000; a.loaded.heightMm = 4000; } },
  { id: 'R3', verdict: 'fail', name: 'underpass 4,000 mm, loaded 4,010 mm', mutate: (a, r) => { restriction(r, 'U1').maxHeightMm = 4000; a.loaded.heightMm = 4010; }, explains: 'Loaded height 4,010 mm exceeds: underpass' },
  { id: 'R3', verdict: 'fail', name: 'tunnel 5,000 mm, loaded 5,010 mm', mutate: (a) => { a.loaded.heightMm = 5010; }, explains: 'tunnel' },
  { id: 'R3', verdict: 'needs_review', name: 'tunnel without a recorded clearance', mutate: (_a, r) => { restriction(r, 'T1').maxHeightMm = undefined; } },
  // ---- R4 narrow segments (2,550 / 2,560 mm) ----
  { id: 'R4', verdict: 'pass', name: 'narrow 2,550 mm, loaded 2,550 mm', mutate: (a, r) => { restriction(r, 'N1').maxWidthMm = 2550; a.loaded.widthMm = 2550; } },
  { id: 'R4', verdict: 'fail', name: 'narrow 2,550 mm, loaded 2,560 mm', mutate: (a, r) => { restriction(r, 'N1').maxWidthMm = 2550; a.loaded.widthMm = 2560; }, explains: 'Loaded width 2,560 mm exceeds' },
  // ---- R5 time window 22:00-06:00 local ----
  { id: 'R5', verdict: 'pass', name: 'exactly 22:00 to 06:00', mutate: (a) => { a.route.travelFrom = '2026-03-10T22:00:00+08:00'; a.route.travelTo = '2026-03-11T06:00:00+08:00'; } },
  { id: 'R5', verdict: 'fail', name: 'starts 21:59', mutate: (a) => { a.route.travelFrom = '2026-03-10T21:59:00+08:00'; }, explains: 'not entirely inside the permitted window 22:00-06:00' },
  { id: 'R5', verdict: 'fail', name: 'ends 06:01', mutate: (a) => { a.route.travelTo = '2026-03-11T06:01:00+08:00'; } },
  { id: 'R5', verdict: 'pass', name: 'after midnight only, given in UTC', mutate: (a) => { a.route.travelFrom = '2026-03-10T17:00:00Z'; a.route.travelTo = '2026-03-10T21:00:00Z'; }, explains: '2026-03-11 01:00' },
  { id: 'R5', verdict: 'fail', name: 'daytime trip', mutate: (a) => { a.route.travelFrom = '2026-03-10T10:00:00+08:00'; a.route.travelTo = '2026-03-10T12:00:00+08:00'; } },
  { id: 'R5', verdict: 'fail', name: 'starts before today', mutate: (a) => { a.route.travelFrom = '2026-03-01T22:00:00+08:00'; a.route.travelTo = '2026-03-02T05:00:00+08:00'; }, explains: 'before today 2026-03-02' },
  { id: 'R5', verdict: 'pass', name: 'repeated pass of exactly 6 months', mutate: (a) => { a.route.tripKind = 'repeated'; a.route.travelFrom = '2026-03-10T00:00:00+08:00'; a.route.travelTo = '2026-09-10T23:59:00+08:00'; }, explains: 'each trip within 22:00-06:00' },
  { id: 'R5', verdict: 'fail', name: 'repeated pass of 6 months and a day', mutate: (a) => { a.route.tripKind = 'repeated'; a.route.travelFrom = '2026-03-10T00:00:00+08:00'; a.route.travelTo = '2026-09-11T00:00:00+08:00'; }, explains: 'longer than 6 months' },
  { id: 'R5', verdict: 'pass', name: 'daytime window 6..22 on a daytime trip', mutate: (a, r) => { r.travelWindow = { fromHour: 6, toHour: 22 }; a.route.travelFrom = '2026-03-10T06:00:00+08:00'; a.route.travelTo = '2026-03-10T22:00:00+08:00'; } },
  // ---- G1 indivisible ----
  { id: 'G1', verdict: 'pass', name: 'indivisible' },
  { id: 'G1', verdict: 'fail', name: 'divisible', mutate: (a) => { a.cargo.divisible = true; }, explains: 'is divisible' },
  // ---- G2 consistency (2% of the gross mass = 840 kg on 42,000 kg) ----
  { id: 'G2', verdict: 'pass', name: 'axle loads 840 kg short of the gross mass', mutate: (a) => { a.loaded.axleLoadsKg = [5160, 9000, 9000, 9000, 9000]; } },
  { id: 'G2', verdict: 'fail', name: 'axle loads 841 kg short of the gross mass', mutate: (a) => { a.loaded.axleLoadsKg = [5159, 9000, 9000, 9000, 9000]; }, explains: 'Axle loads add up to 41,159 kg, gross mass is 42,000 kg (tolerance 840 kg)' },
  { id: 'G2', verdict: 'fail', name: 'gross mass 1,000 kg over cargo + curb', mutate: (a) => { a.loaded.grossMassKg = 43000; a.loaded.axleLoadsKg = [7000, 9000, 9000, 9000, 9000]; }, explains: 'differs from cargo + curb mass 42,000 kg' },
  { id: 'G2', verdict: 'fail', name: 'loaded height equals cargo height', mutate: (a) => { a.cargo.heightMm = 4100; }, explains: 'not above the cargo height' },
  // ---- G3 category and its requirements ----
  { id: 'G3', verdict: 'pass', name: 'category I', explains: 'decision within 2 working days' },
  { id: 'G3', verdict: 'needs_review', name: 'not over-limit at all (4,000 mm high)', mutate: (a) => { a.loaded.heightMm = 4000; }, explains: 'no over-limit permit is needed' },
  { id: 'G3', verdict: 'pass', name: 'category II at 4,500 mm', mutate: (a) => { a.loaded.heightMm = 4500; }, explains: 'within 5 working days' },
  { id: 'G3', verdict: 'fail', name: 'category III at 4,510 mm without documents', mutate: (a) => { a.loaded.heightMm = 4510; }, explains: 'escort plan (护送方案), outline drawing' },
  { id: 'G3', verdict: 'fail', name: 'category III without the outline drawing', mutate: (a) => { a.loaded.heightMm = 4510; a.documents.escortPlan = true; }, explains: 'needs: outline drawing' },
  { id: 'G3', verdict: 'pass', name: 'category III with escort plan and outline drawing', mutate: (a) => { a.loaded.heightMm = 4510; a.documents = { escortPlan: true, outlineDrawing: true }; }, explains: 'within 15 working days' },
];

function run(mutate?: Mutation) {
  const app = baselineApp();
  const ref = baselineRef();
  mutate?.(app, ref);
  return { app, ref, report: runOversizeChecks(app, ref) };
}

function result(report: ReturnType<typeof runOversizeChecks>, id: string) {
  const r = report.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result ${id}`);
  return r;
}

describe('oversize check table', () => {
  it('has exactly 21 checks with unique ids across the 5 categories', () => {
    expect(OVERSIZE_CHECKS).toHaveLength(21);
    expect(new Set(OVERSIZE_CHECKS.map((c) => c.id)).size).toBe(21);
    expect([...new Set(OVERSIZE_CHECKS.map((c) => c.category))].sort()).toEqual([...CHECK_CATEGORIES].sort());
    expect(CHECK_CATEGORIES).toHaveLength(5);
    const perCategory = Object.fromEntries(CHECK_CATEGORIES.map((c) => [c, OVERSIZE_CHECKS.filter((x) => x.category === c).length]));
    expect(perCategory).toEqual({ personnel: 4, company: 4, vehicle: 5, route: 5, cargo: 3 });
    for (const c of OVERSIZE_CHECKS) {
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.titleZh.length).toBeGreaterThan(0);
      expect(c.description.length).toBeGreaterThan(20);
      expect(c.source.length).toBeGreaterThan(0);
      expect(c.reads.length).toBeGreaterThan(0);
    }
    expect(OVERSIZE_CHECKS.filter((c) => c.hardRefusal).map((c) => c.id).sort()).toEqual(['G1', 'V5']);
  });

  it('the table makes every check pass and not pass at least once', () => {
    for (const c of OVERSIZE_CHECKS) {
      const rows = ROWS.filter((r) => r.id === c.id);
      expect({ id: c.id, pass: rows.some((r) => r.verdict === 'pass') }).toEqual({ id: c.id, pass: true });
      expect({ id: c.id, notPass: rows.some((r) => r.verdict !== 'pass') }).toEqual({ id: c.id, notPass: true });
    }
  });

  it('the baseline passes all 21 and is fast-tracked', () => {
    const { report } = run();
    expect(report.results.filter((r) => r.verdict !== 'pass')).toEqual([]);
    expect(report.allPass).toBe(true);
    expect(report.counts).toEqual({ pass: 21, fail: 0, needs_review: 0 });
    expect(report.hardRefusal).toBe(false);
    expect(report.disposition).toBe('fast_track');
    expect(report.category).toBe('I');
    expect(report.overLimit).toBe(true);
  });

  it.each(ROWS.map((r) => [r.id, r.verdict, r.name, r] as const))('%s %s: %s', (id, verdict, _name, row) => {
    const { report } = run(row.mutate);
    const r = result(report, id);
    expect({ id, verdict: r.verdict, explanation: r.explanation }).toEqual({ id, verdict, explanation: r.explanation });
    if (row.explains) expect(r.explanation).toContain(row.explains);
    expect(r.explanation.length).toBeGreaterThan(10);
    expect(r.hardRefusal).toBe(verdict === 'fail' && (id === 'G1' || id === 'V5'));
  });
});

describe('classifyOversize: art. 3 thresholds and categories (exactly at a limit is within it)', () => {
  // One load per axle and dual tyres on every axle but the steering one, so that art. 3 para. 2 (single tyres, sum
  // of the axle limits) leaves the table limit as it is: these rows test the table and the category bounds.
  const loaded = (over: Partial<OversizeApplication['loaded']>, axles = 5, configuration: 'truck' | 'combination' = 'combination', driveAxles = 2) => {
    const app = baselineApp();
    const axleLoadsKg = Array.from({ length: axles }, (_, i) => (i === 0 ? 6000 : 9000));
    app.loaded = { ...app.loaded, heightMm: 3900, axleLoadsKg, ...over };
    app.vehicle = { ...app.vehicle, axles, configuration, driveAxles, tyres: 2 + 4 * (axles - 1) };
    return app;
  };

  it.each([
    ['height 4,000 mm', { heightMm: 4000 }, false, 'I'],
    ['height 4,010 mm', { heightMm: 4010 }, true, 'I'],
    ['width 2,550 mm', { widthMm: 2550 }, false, 'I'],
    ['width 2,560 mm', { widthMm: 2560 }, true, 'I'],
    ['length 18,100 mm', { lengthMm: 18100 }, false, 'I'],
    ['length 18,110 mm', { lengthMm: 18110 }, true, 'I'],
    ['5-axle at 43,000 kg', { grossMassKg: 43000 }, false, 'I'],
    ['5-axle at 43,001 kg', { grossMassKg: 43001 }, true, 'II'],
    ['height 4,200 mm', { heightMm: 4200 }, true, 'I'],
    ['height 4,210 mm', { heightMm: 4210 }, true, 'II'],
    ['height 4,500 mm', { heightMm: 4500 }, true, 'II'],
    ['height 4,510 mm', { heightMm: 4510 }, true, 'III'],
    ['width 3,000 mm', { widthMm: 3000 }, true, 'I'],
    ['width 3,010 mm', { widthMm: 3010 }, true, 'II'],
    ['width 3,750 mm', { widthMm: 3750 }, true, 'II'],
    ['width 3,760 mm', { widthMm: 3760 }, true, 'III'],
    ['length 20,000 mm', { lengthMm: 20000 }, true, 'I'],
    ['length 20,010 mm', { lengthMm: 20010 }, true, 'II'],
    ['length 28,000 mm', { lengthMm: 28000 }, true, 'II'],
    ['length 28,010 mm', { lengthMm: 28010 }, true, 'III'],
    ['5-axle at 100,000 kg', { grossMassKg: 100000 }, true, 'II'],
    ['5-axle at 100,001 kg', { grossMassKg: 100001 }, true, 'III'],
  ] as const)('%s -> over-limit %s, category %s', (_name, over, overLimit, category) => {
    const c = classifyOversize(loaded(over));
    expect({ overLimit: c.overLimit, category: c.category }).toEqual({ overLimit, category });
  });

  it('explains the exceeded threshold with values and limit', () => {
    expect(classifyOversize(loaded({ heightMm: 4010 })).reasons).toContain('Loaded height 4,010 mm exceeds 4,000 mm');
    expect(classifyOversize(loaded({ heightMm: 4510 })).reasons.join(' ')).toContain('height 4,510 mm > 4,500 mm (category II bound)');
  });

  it.each([
    [2, 'truck', 2, 18000],
    [2, 'combination', 1, 18000],
    [3, 'truck', 2, 25000],
    [3, 'combination', 1, 27000],
    [4, 'truck', 2, 31000],
    [4, 'combination', 2, 36000],
    [5, 'combination', 2, 43000],
    [5, 'truck', 2, 43000],
    [6, 'combination', 2, 49000],
    [6, 'combination', 1, 46000],
    [8, 'combination', 2, 49000],
  ] as const)('%i-axle %s with %i drive axle(s): gross mass limit %i kg', (axles, configuration, driveAxles, limit) => {
    expect(grossMassLimit({ axles, configuration, driveAxles }).maxGrossMassKg).toBe(limit);
    const at = classifyOversize(loaded({ grossMassKg: limit }, axles, configuration, driveAxles));
    const over = classifyOversize(loaded({ grossMassKg: limit + 1 }, axles, configuration, driveAxles));
    expect([at.overLimit, over.overLimit, over.category]).toEqual([false, true, 'II']);
  });
});

describe('report: category -> statutory limit and documents; disposition', () => {
  it.each([
    ['I', {}, 2],
    ['II', { heightMm: 4300 }, 5],
    ['III', { heightMm: 4600 }, 15],
  ] as const)('category %s -> %i working days', (category, over, days) => {
    const { report } = run((a) => Object.assign(a.loaded, over));
    expect(report.category).toBe(category);
    expect(report.statutoryLimitWorkingDays).toBe(days);
    expect(report.categoryReasons[report.categoryReasons.length - 1]).toMatch(new RegExp(`^Category ${category}`));
    const extra = ['escort_plan', 'outline_drawing'];
    if (category === 'III') expect(report.requiredDocuments).toEqual(expect.arrayContaining(extra));
    else for (const d of extra) expect(report.requiredDocuments).not.toContain(d);
    expect(report.requiredDocuments).toEqual(expect.arrayContaining(['application_form', 'operating_permit']));
  });

  it('category III with escort, plan, drawing and clear structures is still all-pass', () => {
    const { report } = run((a, r) => {
      a.loaded.heightMm = 4600;
      a.escortStaff = ['李四'];
      a.documents = { escortPlan: true, outlineDrawing: true };
      restriction(r, 'U1').maxHeightMm = 4800;
    });
    expect(report.allPass).toBe(true);
    expect(report.statutoryLimitWorkingDays).toBe(15);
  });

  it('divisible cargo is a hard refusal: rejected with the reason', () => {
    const { report } = run((a) => { a.cargo.divisible = true; });
    expect(report.hardRefusal).toBe(true);
    expect(report.disposition).toBe('reject');
    expect(report.allPass).toBe(false);
    expect(report.refusalReasons).toHaveLength(1);
    expect(report.refusalReasons[0]).toMatch(/^G1 Cargo indivisible: .*divisible/);
  });

  it('a flatbed axle over 13,000 kg is a hard refusal; both refusals are listed', () => {
    const { report } = run((a) => {
      a.cargo.divisible = true;
      a.loaded.axleLoadsKg = [6000, 13001, 9000, 9000, 4999];
    });
    expect(report.disposition).toBe('reject');
    expect(report.refusalReasons.map((r) => r.slice(0, 2))).toEqual(['V5', 'G1']);
    expect(report.refusalReasons[0]).toContain('13,001 kg exceeds 13,000 kg');
  });

  it('a non-hard fail or needs_review goes to human review with the full report', () => {
    const failed = run((_a, r) => { company(r).seriousViolation = true; }).report;
    expect([failed.disposition, failed.hardRefusal, failed.counts]).toEqual(['human_review', false, { pass: 20, fail: 1, needs_review: 0 }]);
    expect(failed.results).toHaveLength(21);
    const unknown = run((_a, r) => { r.driver = null; r.vehicle = null; }).report;
    expect(unknown.disposition).toBe('human_review');
    expect(unknown.counts).toEqual({ pass: 14, fail: 0, needs_review: 7 });
  });

  it('missing reference data never crashes', () => {
    const { report } = run((_a, r) => {
      r.company = null;
      r.driver = null;
      r.vehicle = null;
      r.roadRestrictions = [];
    });
    expect(report.results).toHaveLength(21);
    expect(report.hardRefusal).toBe(false);
    for (const id of ['P1', 'P2', 'P3', 'C1', 'C2', 'C3', 'C4', 'V1', 'V2', 'V3', 'V4']) {
      expect({ id, verdict: result(report, id).verdict }).toEqual({ id, verdict: 'needs_review' });
    }
  });

  it('is deterministic and never reads the clock', () => {
    const now = jest.spyOn(Date, 'now');
    const a = run().report;
    const b = run().report;
    expect(b).toEqual(a);
    expect(now).not.toHaveBeenCalled();
    now.mockRestore();
  });

  it('each result carries id, category, title, source and what was compared', () => {
    const { report } = run();
    for (const r of report.results) {
      const check = OVERSIZE_CHECKS.find((c) => c.id === r.id)!;
      expect(r).toMatchObject({ category: check.category, title: check.title, source: check.source });
      expect(typeof r.compared).toBe('object');
    }
    expect(result(report, 'R3').compared).toMatchObject({ loadedHeightMm: 4100, demoData: true });
    expect(result(report, 'R3').limit).toEqual({ maxHeightMm: 4500 });
  });
});

describe('validateOversizeApplication: impossible values are field errors, not verdicts', () => {
  const paths = (mutate: (a: OversizeApplication) => void) => {
    const app = baselineApp();
    mutate(app);
    return validateOversizeApplication(app).map((e) => e.path);
  };

  it('accepts the baseline', () => {
    expect(validateOversizeApplication(baselineApp())).toEqual([]);
  });

  it.each([
    ['negative cargo length', (a: OversizeApplication) => { a.cargo.lengthMm = -1; }, 'cargo.lengthMm'],
    ['zero cargo mass', (a: OversizeApplication) => { a.cargo.massKg = 0; }, 'cargo.massKg'],
    ['zero axles', (a: OversizeApplication) => { a.vehicle.axles = 0; }, 'vehicle.axles'],
    ['21 axles', (a: OversizeApplication) => { a.vehicle.axles = 21; }, 'vehicle.axles'],
    ['2.5 axles', (a: OversizeApplication) => { a.vehicle.axles = 2.5; }, 'vehicle.axles'],
    ['more drive axles than axles', (a: OversizeApplication) => { a.vehicle.driveAxles = 6; }, 'vehicle.driveAxles'],
    ['one tyre per axle', (a: OversizeApplication) => { a.vehicle.tyres = 5; }, 'vehicle.tyres'],
    ['invalid plate', (a: OversizeApplication) => { a.vehicle.plate = 'AB-123'; }, 'vehicle.plate'],
    ['axle loads for 4 axles on 5', (a: OversizeApplication) => { a.loaded.axleLoadsKg = [9000, 11000, 11000, 11000]; }, 'loaded.axleLoadsKg'],
    ['a negative axle load', (a: OversizeApplication) => { a.loaded.axleLoadsKg = [6000, 9000, -9000, 9000, 9000]; }, 'loaded.axleLoadsKg.2'],
    ['loaded height lower than the cargo', (a: OversizeApplication) => { a.loaded.heightMm = 3100; }, 'loaded.heightMm'],
    ['loaded width lower than the cargo', (a: OversizeApplication) => { a.loaded.widthMm = 2300; }, 'loaded.widthMm'],
    ['loaded length lower than the cargo', (a: OversizeApplication) => { a.loaded.lengthMm = 8000; }, 'loaded.lengthMm'],
    ['height in metres', (a: OversizeApplication) => { a.loaded.heightMm = 4.1; }, 'loaded.heightMm'],
    ['gross mass below cargo + curb', (a: OversizeApplication) => { a.loaded.grossMassKg = 41999; }, 'loaded.grossMassKg'],
    ['travelTo before travelFrom', (a: OversizeApplication) => { a.route.travelTo = '2026-03-10T21:00:00+08:00'; }, 'route.travelTo'],
    ['travelTo equal to travelFrom (other offset)', (a: OversizeApplication) => { a.route.travelTo = '2026-03-10T14:30:00Z'; }, 'route.travelTo'],
    ['travelFrom without offset', (a: OversizeApplication) => { a.route.travelFrom = '2026-03-10T22:30:00'; }, 'route.travelFrom'],
    ['travelFrom on 02-30', (a: OversizeApplication) => { a.route.travelFrom = '2026-02-30T22:30:00+08:00'; }, 'route.travelFrom'],
    ['no route segments', (a: OversizeApplication) => { a.route.segmentIds = []; }, 'route.segmentIds'],
    ['unknown trip kind', (a: OversizeApplication) => { (a.route as { tripKind: string }).tripKind = 'weekly'; }, 'route.tripKind'],
    ['identity card check digit wrong', (a: OversizeApplication) => { a.driverIdCard = DRIVER_ID.slice(0, 17) + (DRIVER_ID.endsWith('0') ? '1' : '0'); }, 'driverIdCard'],
    ['blank escort name', (a: OversizeApplication) => { a.escortStaff = ['李四', ' ']; }, 'escortStaff.1'],
  ])('%s -> %s', (_name, mutate, path) => {
    expect(paths(mutate)).toContain(path);
  });

  it('names the values in the message', () => {
    const app = baselineApp();
    app.loaded.heightMm = 3100;
    expect(validateOversizeApplication(app)).toEqual([
      { path: 'loaded.heightMm', message: 'loaded height 3,100 mm is less than the cargo height 3,200 mm' },
    ]);
    app.loaded.heightMm = 4.1;
    expect(validateOversizeApplication(app)[0]?.message).toContain('millimetres');
  });

  it('reports missing sections and a non-object', () => {
    expect(validateOversizeApplication(null)).toEqual([{ path: '', message: 'must be an object, got null' }]);
    const { cargo: _cargo, ...rest } = baselineApp();
    expect(validateOversizeApplication(rest).map((e) => e.path)).toEqual(['cargo']);
    const bad = { ...baselineApp(), loaded: { ...baselineApp().loaded, widthMm: '2500' } };
    expect(validateOversizeApplication(bad).map((e) => e.path)).toEqual(['loaded.widthMm']);
  });
});

describe('the oversize modules are sandbox-safe', () => {
  it('import nothing but each other and ../identifiers, and never read the clock', () => {
    const dir = join(__dirname, '../../domain/oversize');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(dir, file), 'utf8');
      const imports = [...src.matchAll(/^(?:import|export)\b[^;]*?\bfrom '([^']+)';/gm)].map((m) => m[1]);
      expect({ file, bare: /^import '|\brequire\(/m.test(src) }).toEqual({ file, bare: false });
      for (const i of imports) expect({ file, import: i }).toEqual({ file, import: expect.stringMatching(/^\.\.?\//) });
      expect({ file, clock: /Date\.now|new Date\(|Math\.random|process\./.test(src) }).toEqual({ file, clock: false });
    }
  });

  it('formats numbers without locale data', () => {
    expect([formatNumber(43001), formatNumber(4010), formatNumber(100000), formatNumber(999), formatNumber(-1234.5)]).toEqual([
      '43,001',
      '4,010',
      '100,000',
      '999',
      '-1,234.5',
    ]);
  });
});

describe('62号令 art. 15 para. 1 with arts. 3 and 17: axle loads decide category I', () => {
  /** Over-limit by height only (4,100 mm), so the axles alone decide between categories I and II. */
  const vehicleApp = (v: Partial<OversizeApplication['vehicle']>, axleLoadsKg: number[], grossMassKg = axleLoadsKg.reduce((a, b) => a + b, 0)) => {
    const app = baselineApp();
    app.vehicle = { ...app.vehicle, flatbed: false, ...v };
    app.loaded = { ...app.loaded, heightMm: 4100, grossMassKg, axleLoadsKg };
    return app;
  };
  const truck3 = { axles: 3, configuration: 'truck' as const, driveAxles: 2, tyres: 10 };

  it('the issue example: a 4.1 m high 3-axle truck with a 13.5 t axle is category II (5 working days), not I', () => {
    const app = vehicleApp(truck3, [6000, 13500, 5500]);
    const c = classifyOversize(app);
    expect([c.overLimit, c.category]).toEqual([true, 'II']);
    expect(c.reasons.join(' ')).toContain('axle 2 (drive, dual tyres) 13,500 kg > 11,500 kg');
    const report = runOversizeChecks(app, { ...baselineRef(), vehicle: { ...baselineRef().vehicle!, axles: 3, configuration: 'truck' } });
    expect([report.category, report.statutoryLimitWorkingDays, report.crossProvinceLimitWorkingDays]).toEqual(['II', 5, 10]);
  });

  // Each axle kind at its limit (category I) and 1 kg over (category II). Axle 1 steers; the next driveAxles drive.
  it.each([
    ['steering axle, single tyres', truck3, 0, 7000],
    ['drive axle, dual tyres', truck3, 1, 11500],
    ['non-drive axle, dual tyres', { ...truck3, driveAxles: 1 }, 2, 10000],
    ['non-drive axle, single tyres (10,000 − 3,000)', { ...truck3, driveAxles: 1, tyres: 8 }, 2, 7000],
    ['drive axle, single tyres', { axles: 2, configuration: 'truck' as const, driveAxles: 1, tyres: 4 }, 1, 7000],
  ] as const)('%s: %#', (_kind, v, index, limit) => {
    const loads = Array.from({ length: v.axles }, () => 5000);
    const at = [...loads];
    at[index] = limit;
    const over = [...loads];
    over[index] = limit + 1;
    const atC = classifyOversize(vehicleApp(v, at));
    const overC = classifyOversize(vehicleApp(v, over));
    expect([atC.category, atC.overloadedAxles.length]).toEqual(['I', 0]);
    expect([overC.category, overC.overloadedAxles.map((a) => a.axle)]).toEqual(['II', [index + 1]]);
    expect(overC.reasons.join(' ')).toContain(`${formatNumber(limit + 1)} kg > ${formatNumber(limit)} kg`);
  });

  // Art. 3 para. 2 item 2 (−3,000 kg per single-tyred axle other than steering and drive axles) and item 3 (never
  // more than the sum of the axle limits): the gross mass limit, then at it (not over-limit) and 1 kg over.
  it.each([
    ['6-axle combination, all dual but the steering axle', { axles: 6, configuration: 'combination' as const, driveAxles: 2, tyres: 22 }, 49000],
    ['6-axle combination, one single-tyred trailer axle', { axles: 6, configuration: 'combination' as const, driveAxles: 2, tyres: 20 }, 46000],
    ['6-axle combination, three single-tyred trailer axles', { axles: 6, configuration: 'combination' as const, driveAxles: 2, tyres: 16 }, 40000],
    ['3-axle truck, single-tyred tag axle', { axles: 3, configuration: 'truck' as const, driveAxles: 1, tyres: 8 }, 22000],
    ['3-axle truck on single tyres only: sum 7,000 × 3', { axles: 3, configuration: 'truck' as const, driveAxles: 2, tyres: 6 }, 21000],
    ['2-axle truck on 4 tyres: sum 7,000 + 7,000', { axles: 2, configuration: 'truck' as const, driveAxles: 1, tyres: 4 }, 14000],
    ['2-axle truck on 6 tyres: sum 18,500 is above the table', { axles: 2, configuration: 'truck' as const, driveAxles: 1, tyres: 6 }, 18000],
  ] as const)('%s', (_name, v, limit) => {
    expect(applicableGrossMassLimit(v, []).maxGrossMassKg).toBe(limit);
    // Loads spread evenly and all well within their axle limits, so only the gross mass can be over.
    const loads = (gross: number) => Array.from({ length: v.axles }, (_, i) => (i === 0 ? gross - Math.floor(gross / v.axles) * (v.axles - 1) : Math.floor(gross / v.axles)));
    const base = (gross: number) => {
      const app = vehicleApp(v, loads(gross), gross);
      app.loaded.heightMm = 3900;
      return classifyOversize(app);
    };
    const at = base(limit);
    const over = base(limit + 1);
    expect([at.overLimit, at.maxGrossMassKg, over.overLimit]).toEqual([false, limit, true]);
    expect(over.reasons[0]).toMatch(new RegExp(`^Gross mass \\(limit: .*\\) ${formatNumber(limit + 1)} kg exceeds ${formatNumber(limit)} kg`));
  });

  it('says why the limit is lower (reduction and cap) in the explanation', () => {
    const reduced = applicableGrossMassLimit({ axles: 6, configuration: 'combination', driveAxles: 2, tyres: 20 }, []);
    expect(reduced).toMatchObject({ tableLimitKg: 49000, singleTyreReductionKg: 3000, maxGrossMassKg: 46000 });
    expect(reduced.rule).toBe('6+ axle vehicle, less 3,000 kg for 1 single-tyred axle');
    expect(applicableGrossMassLimit({ axles: 2, configuration: 'truck', driveAxles: 1, tyres: 4 }, []).rule).toBe(
      '2-axle truck, capped at the sum of the axle limits 14,000 kg',
    );
  });
});

describe('62号令 art. 17: ordinary and hydraulic multi-axle flatbeds (V5, hard refusal)', () => {
  // Tractor: steering + 2 drive axles; trailer: 4 axle lines of 2 axles (一线两轴8轮胎). 42 tyres = 2 + 2 × 4 + 8 × 4.
  const hydraulic = (lines: number[]) => (a: OversizeApplication, r: OversizeReferenceData) => {
    const axleLoadsKg = [7000, 10000, 10000, ...lines.flatMap((l) => [Math.ceil(l / 2), Math.floor(l / 2)])];
    a.vehicle = { ...a.vehicle, axles: 11, driveAxles: 2, tyres: 42, flatbed: true, flatbedKind: 'hydraulic_multi_axle', axleLines: lines.length };
    a.loaded.axleLoadsKg = axleLoadsKg;
    a.loaded.grossMassKg = axleLoadsKg.reduce((x, y) => x + y, 0);
    a.cargo.massKg = a.loaded.grossMassKg - a.vehicle.curbMassKg;
    vehicle(r).axles = 11;
  };

  it.each([
    ['average per axle line exactly 18,000 kg', [18000, 18000, 18000, 18000], 'pass', undefined],
    ['average per axle line 18,001 kg', [18000, 18000, 18000, 18004], 'fail', 'average axle line load 18,001 kg exceeds 18,000 kg'],
    ['heaviest axle line exactly 20,000 kg', [20000, 16000, 18000, 18000], 'pass', undefined],
    ['heaviest axle line 20,001 kg', [20001, 15999, 18000, 18000], 'fail', 'axle line 1 load 20,001 kg exceeds 20,000 kg'],
  ] as const)('%s -> V5 %s', (_name, lines, verdict, explains) => {
    const { report } = run(hydraulic([...lines]));
    const v5 = result(report, 'V5');
    expect(validateOversizeApplication(run(hydraulic([...lines])).app)).toEqual([]);
    expect([v5.verdict, v5.hardRefusal]).toEqual([verdict, verdict === 'fail']);
    expect(v5.compared).toMatchObject({ flatbedKind: 'hydraulic_multi_axle', per: 'axle line', loadsKg: [...lines] });
    if (explains) {
      expect(v5.explanation).toContain(explains);
      expect(report.disposition).toBe('reject');
    } else {
      expect(v5.explanation).toMatch(/^Hydraulic multi-axle flatbed: average axle line load/);
    }
  });

  it('an ordinary flatbed is measured per axle, and a hydraulic line of 18,000 kg on an ordinary flatbed is refused', () => {
    const { report } = run((a) => { a.loaded.axleLoadsKg = [6000, 13000, 9000, 9000, 5000]; });
    expect(result(report, 'V5')).toMatchObject({ verdict: 'pass', compared: { flatbedKind: 'ordinary', per: 'axle' } });
    // Within art. 17 (13,000 kg) but over the drive axle's own limit (11,500 kg): category II, not I.
    expect(report.category).toBe('II');
    expect(report.categoryReasons.join(' ')).toContain('axle 2 (drive, dual tyres) 13,000 kg > 11,500 kg');
  });

  it('art. 17 also keeps a flatbed out of category I (art. 15 para. 1 item 1)', () => {
    const c = classifyOversize({ ...baselineApp(), loaded: { ...baselineApp().loaded, axleLoadsKg: [10000, 10000, 10000, 10000, 10005], grossMassKg: 43000 } });
    expect(c.category).toBe('II');
    expect(c.reasons.join(' ')).toContain('ordinary flatbed: average axle load 10,001 kg exceeds 10,000 kg (art. 17)');
  });

  it.each([
    ['a flatbed kind on a vehicle that is not a flatbed', (a: OversizeApplication) => { a.vehicle.flatbed = false; a.vehicle.flatbedKind = 'ordinary'; }, 'vehicle.flatbedKind'],
    ['an unknown flatbed kind', (a: OversizeApplication) => { (a.vehicle as { flatbedKind?: string }).flatbedKind = 'lowboy'; }, 'vehicle.flatbedKind'],
    ['a hydraulic flatbed without axle lines', (a: OversizeApplication) => { a.vehicle.flatbedKind = 'hydraulic_multi_axle'; }, 'vehicle.axleLines'],
    ['axle lines on an ordinary flatbed', (a: OversizeApplication) => { a.vehicle.axleLines = 2; }, 'vehicle.axleLines'],
    ['more axle lines than the axles hold', (a: OversizeApplication) => { a.vehicle.flatbedKind = 'hydraulic_multi_axle'; a.vehicle.axleLines = 3; }, 'vehicle.axleLines'],
  ])('validation: %s -> %s', (_name, mutate, path) => {
    const app = baselineApp();
    mutate(app);
    expect(validateOversizeApplication(app).map((e) => e.path)).toContain(path);
  });
});

describe('62号令 art. 15 para. 1: both periods in the report', () => {
  it.each([
    ['I', {}, 2, 5],
    ['II', { heightMm: 4300 }, 5, 10],
    ['III', { heightMm: 4600 }, 15, 20],
  ] as const)('category %s -> %i working days within the area, at most %i for a cross-province trip', (category, over, days, crossDays) => {
    const { report } = run((a) => Object.assign(a.loaded, over));
    expect([report.category, report.statutoryLimitWorkingDays, report.crossProvinceLimitWorkingDays]).toEqual([category, days, crossDays]);
    expect(result(report, 'G3').limit).toMatchObject({ statutoryLimitWorkingDays: days, crossProvinceLimitWorkingDays: crossDays });
  });

  it('cites art. 15, not art. 8, for the periods', () => {
    const g3 = OVERSIZE_CHECKS.find((c) => c.id === 'G3')!;
    expect(g3.source).toContain('art. 15 para. 1');
    expect(g3.source).not.toMatch(/arts?\. 3, 8/);
    expect(OVERSIZE_CHECKS.find((c) => c.id === 'V5')!.source).toContain('art. 17');
    expect(OVERSIZE_CHECKS.find((c) => c.id === 'R1')!.source).toContain('art. 8');
  });
});

describe('62号令 art. 3 para. 2 item 5: a registered GB 1589 vehicle within its limits is not over-limit', () => {
  const refrigerated = { kind: 'refrigerated' as const, maxLengthMm: 12000, maxWidthMm: 2600, maxHeightMm: 4000, maxGrossMassKg: 43000 };
  const widen = (widthMm: number, gb1589: typeof refrigerated | null) => run((a, r) => {
    a.loaded.heightMm = 3900;
    a.loaded.lengthMm = 12000;
    a.loaded.widthMm = widthMm;
    vehicle(r).gb1589 = gb1589;
  }).report;

  it.each([
    ['registered refrigerated vehicle, 2,600 mm wide', 2600, refrigerated, false, 'needs_review'],
    ['registered refrigerated vehicle, 2,610 mm wide', 2610, refrigerated, true, 'pass'],
    ['no GB 1589 record, 2,600 mm wide', 2600, null, true, 'pass'],
  ] as const)('%s -> over-limit %s, G3 %s', (_name, width, gb1589, overLimit, g3) => {
    const report = widen(width, gb1589);
    expect([report.overLimit, result(report, 'G3').verdict]).toEqual([overLimit, g3]);
    if (!overLimit) expect(report.categoryReasons.join(' ')).toContain('art. 3 para. 2 item 5');
  });
});

describe('the shipped example submission keeps its category', () => {
  it('stays category I with every axle within its limit (API, integration tests and the bench rely on it)', () => {
    const form = oversizeCargoExample(Date.parse('2026-11-26T10:00:00+08:00')).form as unknown as OversizeApplication;
    const c = classifyOversize(form);
    expect([c.overLimit, c.category, c.overloadedAxles, c.maxGrossMassKg, c.flatbed?.problems]).toEqual([true, 'I', [], 49000, []]);
  });
});
