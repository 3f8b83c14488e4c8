/**
 * The 21 checks of the oversize / heavy cargo pre-review (大件运输一件事: 5 categories, 21 sub-items), each one data
 * plus one small pure function. A check compares the application with what the government holds and says pass,
 * fail or needs_review with an explanation a reviewer can read (values compared, limit, record).
 *
 * Conventions:
 * - Missing reference data (driver or vehicle unknown to the government, a structure without a recorded limit) is
 *   `needs_review`, never an exception.
 * - A certificate must be valid through the last travel day (or today, if later): `requiredUntil`. Valid until a
 *   date means valid on that date.
 * - Exactly at a limit is within it.
 * - Sources: the texts of 62号令 arts. 3, 6, 8 and 15 and the art. 17 refusal figures were checked against the
 *   regulation as reproduced by provincial service guides (art. 17's number is inferred from art. 15's cross-reference);
 *   the article numbers marked [unsure] or [not confirmed] were not confirmed against the published text.
 *
 * Pure and dependency-free (safe in Temporal's workflow sandbox): no clock, `ref.today` is "today".
 */
import { birthDateFromIdCard, isValidIdCardNumber } from '../identifiers';
import {
  CROSS_PROVINCE_LIMIT_WORKING_DAYS,
  ESCORT_REQUIRED_CATEGORIES,
  MASS_CONSISTENCY_TOLERANCE,
  REPEATED_PASS_MAX_MONTHS,
  REQUIRED_DOCUMENTS,
  STATUTORY_LIMIT_WORKING_DAYS,
  assessAxlesAsFlatbed,
  assessFlatbedAxles,
  classifyOversize,
  describeAxle,
  formatNumber,
  scopeCoversBulkyCargo,
} from './limits';
import type {
  CheckCategory,
  CheckOutcome,
  OversizeApplication,
  OversizeReferenceData,
  RoadRestriction,
  VehicleConfiguration,
} from './types';
import { DATE_RE, civilFromDays, daysFromCivil, daysInMonth, formatCivil, pad, parseCivilDate } from '../civil-date';
// The comparisons shared with the check library (validity through a day, licence classes, age, owner): one boundary rule.
import { ageFrom, anyClassCovers, ownedBy, requiredThrough, validThrough } from '../checks/rules';

export interface OversizeCheck {
  /** 'P1'..'P4', 'C1'..'C4', 'V1'..'V5', 'R1'..'R5', 'G1'..'G3'. */
  id: string;
  category: CheckCategory;
  title: string;
  titleZh: string;
  /** Plain language: what is compared and why. */
  description: string;
  /** The rule it comes from; [unsure] where the article was not confirmed. */
  source: string;
  /** Input paths it reads ('app.loaded.heightMm', 'ref.driver.licenceClass'). */
  reads: string[];
  /** A failure ends the case as rejected without a person. */
  hardRefusal: boolean;
  run(app: OversizeApplication, ref: OversizeReferenceData): CheckOutcome;
}

export const CHECK_CATEGORIES: readonly CheckCategory[] = ['personnel', 'company', 'vehicle', 'route', 'cargo'];

/** Asia/Shanghai: no daylight saving, so a fixed offset is exact. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

// ---------------------------------------------------------------------------------------------------------------
// Dates and instants, without Date (the workflow sandbox replaces it; these are plain arithmetic)
// ---------------------------------------------------------------------------------------------------------------

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A real 'YYYY-MM-DD' date. */
export function isIsoDate(s: unknown): s is string {
  return parseCivilDate(s) !== undefined;
}

/**
 * An ISO 8601 date-time with an explicit offset ('Z' or ±HH:MM) -> seconds since the epoch; undefined when the
 * form, the date or the offset is not valid. A local time without an offset is refused: it is ambiguous.
 */
export function parseIsoInstant(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = INSTANT_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  let offsetMinutes = 0;
  const off = m[7] ?? 'Z';
  if (off !== 'Z') {
    const oh = Number(off.slice(1, 3));
    const om = Number(off.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = (off.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMinutes) * 60 + sec;
}

/** Local calendar date and minute of the day of an epoch-seconds instant at a fixed offset. */
function localTime(epochSeconds: number, offsetMinutes: number): { date: string; minuteOfDay: number; day: number } {
  const localMinutes = Math.floor(epochSeconds / 60) + offsetMinutes;
  const day = Math.floor(localMinutes / 1440);
  return { date: formatCivil(civilFromDays(day)), minuteOfDay: localMinutes - day * 1440, day };
}

/** 'YYYY-MM-DD' + n calendar months, clamped to the month's last day (08-31 + 6 = 02-28/29). */
export function addMonths(date: string, months: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`Invalid date '${date}'`);
  const total = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  const y = Math.floor(total / 12);
  const mo = (total % 12) + 1;
  return formatCivil({ y, m: mo, d: Math.min(Number(m[3]), daysInMonth(y, mo)) });
}

function hhmm(minuteOfDay: number): string {
  return `${pad(Math.floor(minuteOfDay / 60) % 24)}:${pad(minuteOfDay % 60)}`;
}

function offsetOf(ref: OversizeReferenceData): number {
  return ref.travelWindow.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
}

/** Certificates must be valid through this date: the last travel day, or today if that is later. */
export function requiredValidUntil(app: OversizeApplication, ref: OversizeReferenceData): string {
  return requiredThrough(ref.today, app.route.travelTo, offsetOf(ref));
}

// ---------------------------------------------------------------------------------------------------------------
// Small builders shared by the checks
// ---------------------------------------------------------------------------------------------------------------

const pass = (explanation: string, compared: Record<string, unknown>, limit?: Record<string, unknown>): CheckOutcome =>
  limit ? { verdict: 'pass', explanation, compared, limit } : { verdict: 'pass', explanation, compared };
const fail = (explanation: string, compared: Record<string, unknown>, limit?: Record<string, unknown>): CheckOutcome =>
  limit ? { verdict: 'fail', explanation, compared, limit } : { verdict: 'fail', explanation, compared };
const review = (
  explanation: string,
  compared: Record<string, unknown>,
  limit?: Record<string, unknown>,
): CheckOutcome =>
  limit
    ? { verdict: 'needs_review', explanation, compared, limit }
    : { verdict: 'needs_review', explanation, compared };

/** Identity numbers in explanations are masked: the report is kept in workflow history. */
export function maskIdCard(idCard: string): string {
  return idCard.length === 18 ? `${idCard.slice(0, 6)}********${idCard.slice(14)}` : '(invalid number)';
}

/**
 * A dated certificate that must be valid through `requiredUntil`. `null` = none on record = fail (the government is
 * the issuer of every one of these, so "unknown" means "does not exist").
 */
function validity(
  label: string,
  validUntil: string | null | undefined,
  app: OversizeApplication,
  ref: OversizeReferenceData,
  extra: Record<string, unknown> = {},
): CheckOutcome {
  const requiredUntil = requiredValidUntil(app, ref);
  const compared = { ...extra, validUntil: validUntil ?? null, requiredUntil, today: ref.today };
  const limit = { validThrough: requiredUntil };
  const v = validThrough(validUntil, requiredUntil);
  if (v.state === 'none') return fail(`No ${label} on record`, compared, limit);
  if (v.state === 'not-a-date') return review(`${label} validity '${v.recorded}' on record is not a date`, compared, limit);
  if (v.state === 'expired') {
    return fail(
      `${capitalise(label)} valid until ${v.validUntil}, before ${requiredUntil} ` +
        '(the last travel day, or today if later)',
      compared,
      limit,
    );
  }
  return pass(
    `${capitalise(label)} valid until ${v.validUntil}, covers the trip through ${requiredUntil}`,
    compared,
    limit,
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

const DRIVER_UNKNOWN = (app: OversizeApplication): CheckOutcome =>
  review(`Driver ${maskIdCard(app.driverIdCard)} is not in the government's driver records`, {
    driverIdCard: maskIdCard(app.driverIdCard),
  });

function knownDriver(
  app: OversizeApplication,
  ref: OversizeReferenceData,
): { driver: NonNullable<OversizeReferenceData['driver']> } | { outcome: CheckOutcome } {
  if (!ref.driver) return { outcome: DRIVER_UNKNOWN(app) };
  if (ref.driver.idCard !== app.driverIdCard) {
    return {
      outcome: review('The driver record on file belongs to a different identity card number than the one declared', {
        declared: maskIdCard(app.driverIdCard),
        onRecord: maskIdCard(ref.driver.idCard),
      }),
    };
  }
  return { driver: ref.driver };
}

const COMPANY_UNKNOWN: CheckOutcome = review("The applicant company is not in the government's company register", {
  company: null,
});

function knownVehicle(
  app: OversizeApplication,
  ref: OversizeReferenceData,
): { vehicle: NonNullable<OversizeReferenceData['vehicle']> } | { outcome: CheckOutcome } {
  if (!ref.vehicle) {
    const plate = app.vehicle.plate;
    return { outcome: review(`Vehicle ${plate} is not in the vehicle records`, { plate }) };
  }
  if (ref.vehicle.plate !== app.vehicle.plate) {
    return {
      outcome: review(`The vehicle record on file is ${ref.vehicle.plate}, not the declared ${app.vehicle.plate}`, {
        declared: app.vehicle.plate,
        onRecord: ref.vehicle.plate,
      }),
    };
  }
  return { vehicle: ref.vehicle };
}

// ---------------------------------------------------------------------------------------------------------------
// Driving licence classes (准驾车型), 机动车驾驶证申领和使用规定 (公安部令第162号) annex [unsure on the edition]
// ---------------------------------------------------------------------------------------------------------------

/** A combination (tractor + semi/full trailer) needs A2; a rigid heavy truck needs B2. */
export function requiredLicenceClass(configuration: VehicleConfiguration): 'A2' | 'B2' {
  return configuration === 'combination' ? 'A2' : 'B2';
}

// ---------------------------------------------------------------------------------------------------------------
// Route helpers
// ---------------------------------------------------------------------------------------------------------------

/** '济宁市任城区' is within a jurisdiction listing '济宁市' (an entry is a prefix of the place name). */
function inJurisdiction(city: string, cities: readonly string[]): boolean {
  const c = city.trim();
  return c !== '' && cities.some((j) => j.trim() !== '' && c.startsWith(j.trim()));
}

function structureLabel(r: RoadRestriction): string {
  return `${r.kind} ${r.name} (${r.id}${r.segmentId ? `, segment ${r.segmentId}` : ''})`;
}

/**
 * Every structure of the given kinds must have a recorded limit >= the loaded value. Any over => fail (listing
 * them); any limit unknown => needs_review; none on the route => pass.
 */
function structuresAllow(
  ref: OversizeReferenceData,
  kinds: readonly RoadRestriction['kind'][],
  limitOf: (r: RoadRestriction) => number | null | undefined,
  value: number,
  what: { noun: string; text: string; valueLabel: string; limitLabel: string; unit: 'mm' | 'kg' },
): CheckOutcome {
  const structures = ref.roadRestrictions.filter((r) => kinds.includes(r.kind));
  const demoData = structures.some((r) => r.demo === true);
  const demoNote = demoData ? ' (demo road-restriction data)' : '';
  const compared = {
    [what.valueLabel]: value,
    structures: structures.map((r) => ({ id: r.id, kind: r.kind, name: r.name, limit: limitOf(r) ?? null })),
    demoData,
  };
  if (structures.length === 0) {
    return pass(`No ${what.noun} on the route in the restriction data${demoNote}`, compared);
  }
  const over = structures.filter((r) => {
    const l = limitOf(r);
    return typeof l === 'number' && l < value;
  });
  const unknown = structures.filter((r) => typeof limitOf(r) !== 'number');
  const tightest = structures
    .map((r) => limitOf(r))
    .filter((l): l is number => typeof l === 'number')
    .reduce<number | undefined>((a, b) => (a === undefined || b < a ? b : a), undefined);
  const limit = tightest === undefined ? undefined : { [what.limitLabel]: tightest };
  if (over.length > 0) {
    const list = over
      .map((r) => `${structureLabel(r)} allows ${formatNumber(limitOf(r) as number)} ${what.unit}`)
      .join('; ');
    return fail(
      `${capitalise(what.text)} ${formatNumber(value)} ${what.unit} exceeds: ${list}${demoNote}`,
      compared,
      limit,
    );
  }
  if (unknown.length > 0) {
    return review(
      `No recorded limit for ${unknown.map(structureLabel).join('; ')}: check it by survey${demoNote}`,
      compared,
      limit,
    );
  }
  return pass(
    `All ${structures.length} ${what.noun} allow ${formatNumber(value)} ${what.unit} (tightest ${formatNumber(
      tightest as number,
    )} ${what.unit})${demoNote}`,
    compared,
    limit,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------------------------

const S62 = '超限运输车辆行驶公路管理规定 (交通运输部令2016年第62号)';
const ROAD_TRANSPORT_REGULATION = '道路运输条例';

export const OVERSIZE_CHECKS: readonly OversizeCheck[] = [
  // ---- personnel ----
  {
    id: 'P1',
    category: 'personnel',
    title: 'Driving licence class covers the vehicle and is valid',
    titleZh: '驾驶证准驾车型相符且在有效期内',
    description:
      'The driver holds a licence whose class covers the vehicle (A2 for a tractor-trailer combination; B2, or A1/A2 ' +
      'which cover B2, for a rigid heavy truck), valid through the last travel day.',
    source: `${ROAD_TRANSPORT_REGULATION} art. 22 (取得相应的机动车驾驶证); 机动车驾驶证申领和使用规定 准驾车型 annex [unsure on edition]`,
    reads: ['app.driverIdCard', 'app.vehicle.configuration', 'ref.driver.licenceClass', 'ref.driver.licenceValidUntil'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownDriver(app, ref);
      if ('outcome' in known) return known.outcome;
      const { driver } = known;
      const required = requiredLicenceClass(app.vehicle.configuration);
      // 附件1's classes (domain/driving-licence via the check library): A1 and A2 include B2; only A2 covers A2.
      const { held, covers } = anyClassCovers(driver.licenceClass, required);
      const compared = {
        licenceClass: driver.licenceClass,
        configuration: app.vehicle.configuration,
        requiredClass: required,
      };
      const limit = { requiredClass: required };
      if (held.length === 0) return fail('No driving licence class on record for the driver', compared, limit);
      if (!covers) {
        const kind = app.vehicle.configuration === 'combination' ? 'tractor-trailer combination' : 'heavy truck';
        return fail(`Licence class ${held.join('/')} does not cover a ${kind} (needs ${required})`, compared, limit);
      }
      const v = validity('driving licence', driver.licenceValidUntil, app, ref, compared);
      return { ...v, explanation: `Licence class ${held.join('/')} covers ${required}; ${lowerFirst(v.explanation)}` };
    },
  },
  {
    id: 'P2',
    category: 'personnel',
    title: 'Freight qualification certificate valid',
    titleZh: '道路货物运输从业资格证有效',
    description: "The driver's road freight qualification certificate (从业资格证) is valid through the last travel day.",
    source: `${ROAD_TRANSPORT_REGULATION} art. 22 (取得从业资格证)`,
    reads: ['app.driverIdCard', 'ref.driver.freightQualificationValidUntil'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownDriver(app, ref);
      if ('outcome' in known) return known.outcome;
      return validity('freight qualification certificate', known.driver.freightQualificationValidUntil, app, ref);
    },
  },
  {
    id: 'P3',
    category: 'personnel',
    title: 'Driver aged 60 or under',
    titleZh: '驾驶员年龄不超过60周岁',
    description:
      'The driver is at most 60 (completed years, 周岁) on the last travel day. Birth date from the record, else from ' +
      'the identity card number.',
    source: `${ROAD_TRANSPORT_REGULATION} art. 22 (年龄不超过60周岁)`,
    reads: ['app.driverIdCard', 'ref.driver.birthDate'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownDriver(app, ref);
      if ('outcome' in known) return known.outcome;
      const birthDate: string | undefined = isIsoDate(known.driver.birthDate)
        ? known.driver.birthDate
        : isValidIdCardNumber(app.driverIdCard)
          ? birthDateFromIdCard(app.driverIdCard)
          : undefined;
      const on = requiredValidUntil(app, ref);
      if (birthDate === undefined) return review('No readable birth date for the driver', { on });
      const age = ageFrom({ birthDate }, on);
      if (age === undefined) return review(`The birth date ${birthDate} is after ${on}: check the record`, { birthDate, on });
      const compared = { birthDate, on, age };
      const limit = { maxAgeYears: 60 };
      return age <= 60
        ? pass(`Driver is ${age} on ${on}, within 60`, compared, limit)
        : fail(`Driver is ${age} on ${on}, over 60`, compared, limit);
    },
  },
  {
    id: 'P4',
    category: 'personnel',
    title: 'Escort staff named when the load needs an escort',
    titleZh: '需护送时已明确护送人员',
    description:
      'A category III load travels with an escort (platform rule: escort required for category III only); the ' +
      'application names at least one escort staff member.',
    source:
      `${S62} art. 12 (护送方案 with the application over 4.5 m / 3.75 m / 28 m / 100,000 kg, i.e. category III); ` +
      'escort staff on the trip [article not confirmed]',
    reads: ['app.loaded', 'app.vehicle', 'app.escortStaff', 'ref.vehicle.gb1589'],
    hardRefusal: false,
    run(app, ref) {
      const { category } = classifyOversize(app, ref.vehicle);
      const named = app.escortStaff.filter((s) => s.trim() !== '');
      const needed = ESCORT_REQUIRED_CATEGORIES.includes(category);
      const compared = { category, escortStaff: named.length };
      const limit = { escortRequired: needed, minEscortStaff: needed ? 1 : 0 };
      if (!needed) return pass(`Category ${category}: no escort required (${named.length} named)`, compared, limit);
      return named.length > 0
        ? pass(`Category ${category} needs an escort: ${named.length} escort staff named`, compared, limit)
        : fail(`Category ${category} needs an escort, but no escort staff is named`, compared, limit);
    },
  },
  // ---- company ----
  {
    id: 'C1',
    category: 'company',
    title: 'Road transport operating permit valid',
    titleZh: '道路运输经营许可证有效',
    description: 'The company holds a road transport operating permit valid through the last travel day.',
    source:
      `${ROAD_TRANSPORT_REGULATION} arts. 21, 24 [unsure on articles]; ` +
      `${S62} art. 11 (承运人的道路运输经营许可证) [unsure on article]`,
    reads: ['ref.company.operatingPermit.validUntil'],
    hardRefusal: false,
    run(app, ref) {
      if (!ref.company) return COMPANY_UNKNOWN;
      const permit = ref.company.operatingPermit;
      return validity('road transport operating permit', permit?.validUntil ?? null, app, ref, {
        permitNo: permit?.no ?? null,
      });
    },
  },
  {
    id: 'C2',
    category: 'company',
    title: 'Operating scope covers bulky cargo',
    titleZh: '经营范围包含大型物件运输',
    description: "The permit's scope includes bulky cargo transport (道路大型物件运输).",
    source:
      '道路货物运输及站场管理规定 (大型物件运输 scope) [unsure on article]; ' +
      `${S62} as amended by 交通运输部令2021年第12号: a scope without 大件运输 is a ground not to accept (不予受理) ` +
      '[article not confirmed]',
    reads: ['ref.company.operatingPermit.scope'],
    hardRefusal: false,
    run(_app, ref) {
      if (!ref.company) return COMPANY_UNKNOWN;
      const permit = ref.company.operatingPermit;
      if (!permit) return fail('No operating permit on record, so no scope covers bulky cargo', { scope: null });
      const compared = { scope: permit.scope };
      const limit = { requiredScope: '大型物件运输' };
      return scopeCoversBulkyCargo(permit.scope)
        ? pass(`Permit ${permit.no} scope includes bulky cargo: ${permit.scope.join(', ')}`, compared, limit)
        : fail(
            `Permit ${permit.no} scope (${permit.scope.join(', ') || 'empty'}) does not include bulky cargo`,
            compared,
            limit,
          );
    },
  },
  {
    id: 'C3',
    category: 'company',
    title: 'Not on the serious-violation list',
    titleZh: '未列入严重违法超限超载失信名单',
    description: 'The company is not on the list of serious over-limit / overload violators.',
    source: `${S62} ch. 5 (法律责任) and the joint-punishment list for serious over-limit violations [unsure on basis]`,
    reads: ['ref.company.seriousViolation'],
    hardRefusal: false,
    run(_app, ref) {
      const company = ref.company;
      if (!company) return COMPANY_UNKNOWN;
      const compared = { creditCode: company.creditCode, seriousViolation: company.seriousViolation };
      return company.seriousViolation
        ? fail(`${company.name} (${company.creditCode}) is on the serious-violation list`, compared)
        : pass(`${company.name} is not on the serious-violation list`, compared);
    },
  },
  {
    id: 'C4',
    category: 'company',
    title: 'Carrier liability insurance valid',
    titleZh: '承运人责任险在有效期内',
    description: 'The company holds carrier liability insurance valid through the last travel day.',
    source:
      `Platform / local requirement [unsure]: ${ROAD_TRANSPORT_REGULATION} art. 35 makes it mandatory only for ` +
      'passenger and dangerous-goods carriers',
    reads: ['ref.company.liabilityInsuranceValidUntil'],
    hardRefusal: false,
    run(app, ref) {
      if (!ref.company) return COMPANY_UNKNOWN;
      return validity('carrier liability insurance', ref.company.liabilityInsuranceValidUntil, app, ref);
    },
  },
  // ---- vehicle ----
  {
    id: 'V1',
    category: 'vehicle',
    title: 'Vehicle registered to the company, driving licence valid',
    titleZh: '车辆登记在申请企业名下且行驶证有效',
    description:
      "The plate is registered to the applicant company and the vehicle's driving licence (行驶证) is valid through the " +
      'last travel day.',
    source: `道路交通安全法 arts. 8, 11; ${S62} art. 11 (车辆的行驶证或者道路运输证) [unsure on article]`,
    reads: [
      'app.vehicle.plate',
      'ref.vehicle.ownerCreditCode',
      'ref.company.creditCode',
      'ref.vehicle.drivingLicenceValidUntil',
    ],
    hardRefusal: false,
    run(app, ref) {
      const known = knownVehicle(app, ref);
      if ('outcome' in known) return known.outcome;
      const { vehicle } = known;
      const company = ref.company;
      if (!company) return COMPANY_UNKNOWN;
      const owner = vehicle.ownerCreditCode;
      const compared = { plate: vehicle.plate, ownerCreditCode: owner, applicant: company.creditCode };
      if (!ownedBy(owner, company.creditCode)) {
        return fail(
          `Vehicle ${vehicle.plate} is registered to ${owner}, not to the applicant ${company.creditCode}`,
          compared,
          { owner: company.creditCode },
        );
      }
      const v = validity('vehicle driving licence', vehicle.drivingLicenceValidUntil, app, ref, compared);
      return { ...v, explanation: `Registered to ${company.name}; ${lowerFirst(v.explanation)}` };
    },
  },
  {
    id: 'V2',
    category: 'vehicle',
    title: 'Vehicle inspection valid',
    titleZh: '车辆检验在有效期内',
    description: "The vehicle's periodic safety inspection is valid through the last travel day.",
    source: '道路交通安全法 art. 13',
    reads: ['ref.vehicle.inspectionValidUntil'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownVehicle(app, ref);
      if ('outcome' in known) return known.outcome;
      const { vehicle } = known;
      return validity('vehicle inspection', vehicle.inspectionValidUntil, app, ref, { plate: vehicle.plate });
    },
  },
  {
    id: 'V3',
    category: 'vehicle',
    title: 'Road transport certificate valid',
    titleZh: '道路运输证有效',
    description: "The vehicle's road transport certificate (道路运输证) is valid through the last travel day.",
    source: `${ROAD_TRANSPORT_REGULATION} art. 24 (车辆营运证) [unsure on article]; ${S62} art. 11 [unsure on article]`,
    reads: ['ref.vehicle.roadTransportCertValidUntil'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownVehicle(app, ref);
      if ('outcome' in known) return known.outcome;
      return validity('road transport certificate', known.vehicle.roadTransportCertValidUntil, app, ref, {
        plate: known.vehicle.plate,
      });
    },
  },
  {
    id: 'V4',
    category: 'vehicle',
    title: 'Declared axles and configuration match the registered vehicle',
    titleZh: '申报轴数及车型与登记信息一致',
    description: 'The axle count and configuration (truck / combination) on the form equal those registered.',
    source: `${S62} art. 11 (车辆的厂牌型号、轴数) [unsure on article]`,
    reads: ['app.vehicle.axles', 'app.vehicle.configuration', 'ref.vehicle.axles', 'ref.vehicle.configuration'],
    hardRefusal: false,
    run(app, ref) {
      const known = knownVehicle(app, ref);
      if ('outcome' in known) return known.outcome;
      const { vehicle } = known;
      const compared = {
        declaredAxles: app.vehicle.axles,
        registeredAxles: vehicle.axles,
        declaredConfiguration: app.vehicle.configuration,
        registeredConfiguration: vehicle.configuration,
      };
      const problems: string[] = [];
      if (app.vehicle.axles !== vehicle.axles) {
        problems.push(`declared ${app.vehicle.axles} axles, registered ${vehicle.axles}`);
      }
      if (app.vehicle.configuration !== vehicle.configuration) {
        problems.push(`declared ${app.vehicle.configuration}, registered ${vehicle.configuration}`);
      }
      return problems.length > 0
        ? fail(`Vehicle ${vehicle.plate}: ${problems.join('; ')}`, compared)
        : pass(`Vehicle ${vehicle.plate}: ${vehicle.axles}-axle ${vehicle.configuration} as registered`, compared);
    },
  },
  {
    id: 'V5',
    category: 'vehicle',
    title: 'Axle loads within the refusal limits',
    titleZh: '轴荷未超过不予许可标准',
    description:
      'An ordinary flatbed: average axle load at most 10,000 kg and every axle at most 13,000 kg. A hydraulic ' +
      'multi-axle flatbed: average load per axle line (一线两轴8轮胎) at most 18,000 kg and every axle line at most ' +
      '20,000 kg. Over these the permit is refused. Art. 17 names only flatbeds, so another vehicle over the ordinary ' +
      'flatbed figures goes to a reviewer (platform rule).',
    source:
      `${S62} art. 17 items 1-2 (不予许可: 普通平板车 单轴平均轴荷 > 10,000 kg 或最大轴荷 > 13,000 kg; 多轴多轮液压平板车 ` +
      '每轴线平均轴荷 > 18,000 kg 或最大轴荷 > 20,000 kg)',
    reads: ['app.vehicle.flatbed', 'app.vehicle.flatbedKind', 'app.vehicle.axleLines', 'app.loaded.axleLoadsKg'],
    hardRefusal: true,
    run(app) {
      // A vehicle that is not a flatbed is measured against the ordinary-flatbed figures, to send it to a person.
      const assessed = assessFlatbedAxles(app) ?? assessAxlesAsFlatbed('ordinary', app);
      const { per, averageKg, maxKg, heaviest, problems } = assessed;
      const kind = app.vehicle.flatbed ? assessed.kind : 'not a flatbed';
      const compared = {
        flatbed: app.vehicle.flatbed,
        flatbedKind: kind,
        per,
        loadsKg: assessed.loadsKg,
        averageKg,
        maxKg,
        heaviest,
      };
      const limit = { per, maxAverageKg: assessed.limit.maxAverageKg, maxKg: assessed.limit.maxKg };
      const perText = per === 'axle' ? 'axle' : 'axle line';
      const within =
        `Average ${perText} load ${formatNumber(averageKg)} kg (limit ${formatNumber(limit.maxAverageKg)} kg), ` +
        `heaviest ${perText} ${formatNumber(maxKg)} kg (limit ${formatNumber(limit.maxKg)} kg)`;
      const name = assessed.kind === 'hydraulic_multi_axle' ? 'Hydraulic multi-axle flatbed' : 'Flatbed';
      if (problems.length === 0) {
        return pass(app.vehicle.flatbed ? `${name}: ${lowerFirst(within)}` : within, compared, limit);
      }
      return app.vehicle.flatbed
        ? fail(`${name}: ${problems.join('; ')}: refused (art. 17)`, compared, limit)
        : review(
            `Not a flatbed, so the art. 17 refusal figures do not apply as such; ${problems.join('; ')}: ` +
              'a reviewer assesses the vehicle',
            compared,
            limit,
          );
    },
  },
  // ---- route ----
  {
    id: 'R1',
    category: 'route',
    title: 'Origin and destination within the issuing jurisdiction',
    titleZh: '起讫点在本机关管辖范围内',
    description:
      "Both ends of the trip lie in the issuing authority's area. If the origin is elsewhere, the authority " +
      'where the trip starts takes the case; if only the destination is elsewhere, the case is accepted here as ' +
      'the origin authority and the authorities along the route must be consulted.',
    source:
      `${S62} art. 8 (which highway authority accepts: 跨省 -> 起运地省级公路管理机构统一受理; 省内跨设区的市 -> 省级; ` +
      '设区的市内跨区县 -> 设区的市; 区县内 -> 区县)',
    reads: ['app.route.originCity', 'app.route.destinationCity', 'ref.jurisdiction'],
    hardRefusal: false,
    run(app, ref) {
      const { originCity, destinationCity } = app.route;
      const j = ref.jurisdiction;
      const originIn = inJurisdiction(originCity, j.cities);
      const destinationIn = inJurisdiction(destinationCity, j.cities);
      const base = { originCity, destinationCity, jurisdiction: j.name, originIn, destinationIn };
      const limit = { jurisdictionCities: j.cities };
      if (!originIn) {
        return fail(
          `Origin ${originCity} is outside ${j.name}: the highway authority where the trip starts ` +
            `(起运地 ${originCity}) takes the application, not ${j.name}`,
          { ...base, competentAuthority: `highway authority of ${originCity} (起运地)` },
          limit,
        );
      }
      if (!destinationIn) {
        return review(
          `Destination ${destinationCity} is outside ${j.name}: ${j.name} accepts the case as the origin ` +
            `authority; the authorities along the route to ${destinationCity} must be consulted`,
          { ...base, competentAuthority: `${j.name} (origin), with the authorities along the route` },
          limit,
        );
      }
      return pass(`Origin ${originCity} and destination ${destinationCity} are within ${j.name}`, {
        ...base,
        competentAuthority: j.name,
      }, limit);
    },
  },
  {
    id: 'R2',
    category: 'route',
    title: 'Every bridge on the route carries the gross mass',
    titleZh: '途经桥梁承载能力满足车货总质量',
    description: 'Each bridge on the route segments has a recorded maximum gross mass at least the loaded gross mass.',
    source: `${S62} arts. 13-14 (路线勘测, 加固、改造: 桥梁) [unsure on articles]`,
    reads: ['app.loaded.grossMassKg', 'ref.roadRestrictions'],
    hardRefusal: false,
    run(app, ref) {
      return structuresAllow(ref, ['bridge'], (r) => r.maxGrossMassKg, app.loaded.grossMassKg, {
        noun: 'bridges',
        valueLabel: 'grossMassKg',
        limitLabel: 'maxGrossMassKg',
        unit: 'kg',
        text: 'gross mass',
      });
    },
  },
  {
    id: 'R3',
    category: 'route',
    title: 'Every underpass and tunnel clears the loaded height',
    titleZh: '途经涵洞、隧道净高满足车货总高度',
    description:
      'Each tunnel and underpass on the route has a recorded clearance at least the loaded height (no safety margin is ' +
      'added here; the survey adds one).',
    source: `${S62} arts. 13-14 (路线勘测, 加固、改造: 隧道/涵洞) [unsure on articles]`,
    reads: ['app.loaded.heightMm', 'ref.roadRestrictions'],
    hardRefusal: false,
    run(app, ref) {
      return structuresAllow(ref, ['tunnel', 'underpass'], (r) => r.maxHeightMm, app.loaded.heightMm, {
        noun: 'tunnels and underpasses',
        valueLabel: 'loadedHeightMm',
        limitLabel: 'maxHeightMm',
        unit: 'mm',
        text: 'loaded height',
      });
    },
  },
  {
    id: 'R4',
    category: 'route',
    title: 'Every narrow segment passes the loaded width',
    titleZh: '途经狭窄路段宽度满足车货总宽度',
    description: 'Each narrow segment on the route has a recorded passable width at least the loaded width.',
    source: `${S62} arts. 13-14 (路线勘测, 加固、改造: 通行条件) [unsure on articles]`,
    reads: ['app.loaded.widthMm', 'ref.roadRestrictions'],
    hardRefusal: false,
    run(app, ref) {
      return structuresAllow(ref, ['narrow'], (r) => r.maxWidthMm, app.loaded.widthMm, {
        noun: 'narrow segments',
        valueLabel: 'loadedWidthMm',
        limitLabel: 'maxWidthMm',
        unit: 'mm',
        text: 'loaded width',
      });
    },
  },
  {
    id: 'R5',
    category: 'route',
    title: 'Travel inside the permitted time window',
    titleZh: '通行时间在允许时段内',
    description:
      'A single trip starts no earlier than today and lies entirely inside one permitted window (local time, e.g. ' +
      '22:00-06:00 on urban roads). A repeated-trip pass starts no earlier than today and lasts at most 6 months; ' +
      'each trip then keeps to the window as a condition of the pass.',
    source:
      '城市道路管理条例 art. 28 (按照公安交通管理部门指定的时间、路线行驶); ' +
      `${S62} (repeated trips on a fixed route, pass up to 6 months) [unsure on article]`,
    reads: ['app.route.travelFrom', 'app.route.travelTo', 'app.route.tripKind', 'ref.travelWindow', 'ref.today'],
    hardRefusal: false,
    run(app, ref) {
      const offset = offsetOf(ref);
      const fromS = parseIsoInstant(app.route.travelFrom);
      const toS = parseIsoInstant(app.route.travelTo);
      const { fromHour, toHour } = ref.travelWindow;
      const windowText = `${pad(fromHour)}:00-${pad(toHour % 24)}:00`;
      const compared: Record<string, unknown> = {
        travelFrom: app.route.travelFrom,
        travelTo: app.route.travelTo,
        tripKind: app.route.tripKind,
        today: ref.today,
      };
      const limit: Record<string, unknown> = { window: windowText, utcOffsetMinutes: offset };
      if (fromS === undefined || toS === undefined || toS <= fromS) {
        const what = 'Travel times are not a readable interval (ISO 8601 with offset, end after start)';
        return review(what, compared, limit);
      }
      const from = localTime(fromS, offset);
      const to = localTime(toS, offset);
      compared.localFrom = `${from.date} ${hhmm(from.minuteOfDay)}`;
      compared.localTo = `${to.date} ${hhmm(to.minuteOfDay)}`;
      if (from.date < ref.today) {
        return fail(`Travel starts on ${from.date}, before today ${ref.today}`, compared, limit);
      }
      const windowMinutes = ((((toHour - fromHour) % 24) + 24) % 24 || 24) * 60;
      if (app.route.tripKind === 'repeated') {
        const lastDay = addMonths(from.date, REPEATED_PASS_MAX_MONTHS);
        limit.validUntilAtMost = lastDay;
        const condition =
          windowMinutes === 1440 ? 'no time-of-day restriction' : `each trip within ${windowText} local time`;
        const period = `Repeated-trip pass ${from.date} to ${to.date}`;
        const months = REPEATED_PASS_MAX_MONTHS;
        return to.date <= lastDay
          ? pass(`${period}, within ${months} months; ${condition}`, compared, limit)
          : fail(`${period} is longer than ${months} months (ends after ${lastDay})`, compared, limit);
      }
      if (windowMinutes === 1440) return pass('No time-of-day restriction on this route', compared, limit);
      const startMin = Math.floor(fromS / 60) + offset;
      const endMin = Math.ceil(toS / 60) + offset;
      // The window occurrence that contains the start opens on the start's local day or the day before.
      const fits = [from.day, from.day - 1].some((day) => {
        const opens = day * 1440 + fromHour * 60;
        return opens <= startMin && endMin <= opens + windowMinutes;
      });
      const trip = `${compared.localFrom as string} to ${compared.localTo as string}`;
      return fits
        ? pass(`Trip ${trip} is inside the permitted window ${windowText}`, compared, limit)
        : fail(`Trip ${trip} is not entirely inside the permitted window ${windowText} (local time)`, compared, limit);
    },
  },
  // ---- cargo ----
  {
    id: 'G1',
    category: 'cargo',
    title: 'Cargo indivisible',
    titleZh: '货物为不可解体物品',
    description: 'Only an indivisible load (不可解体物品) may be carried over the limits; divisible cargo is refused.',
    source:
      `${S62} art. 6 (only 载运不可解体物品的超限运输车辆 may be permitted); divisible cargo (可分载物品) is a ground not ` +
      'to accept (不予受理) under the 2021 amendment (交通运输部令2021年第12号) [article not confirmed]',
    reads: ['app.cargo.divisible', 'app.cargo.name'],
    hardRefusal: true,
    run(app) {
      const compared = { cargo: app.cargo.name, divisible: app.cargo.divisible };
      const limit = { divisible: false };
      return app.cargo.divisible
        ? fail(`Cargo "${app.cargo.name}" is divisible: it must be split into legal loads, refused`, compared, limit)
        : pass(`Cargo "${app.cargo.name}" is declared indivisible`, compared, limit);
    },
  },
  {
    id: 'G2',
    category: 'cargo',
    title: 'Loaded dimensions and masses consistent with cargo and vehicle',
    titleZh: '车货外廓尺寸、质量与货物及车辆信息一致',
    description:
      'The cargo sits above the road (loaded height greater than cargo height), the loaded vehicle is longer than its ' +
      'wheelbase, the axle loads add up to the gross mass, and the gross mass is cargo + curb mass, each within 2% ' +
      '(platform tolerance for weighing error, fuel and crew).',
    source:
      `${S62} art. 11 (申请表: 货物外廓尺寸和质量、整备质量、车货总体外廓尺寸、总质量、各车轴轴荷) [unsure on article]; ` +
      'tolerance is a platform choice',
    reads: ['app.cargo', 'app.vehicle.curbMassKg', 'app.vehicle.wheelbaseMm', 'app.loaded'],
    hardRefusal: false,
    run(app) {
      const { cargo, vehicle, loaded } = app;
      const axleSum = loaded.axleLoadsKg.reduce((a, b) => a + b, 0);
      const composed = cargo.massKg + vehicle.curbMassKg;
      const tolerance = Math.round(loaded.grossMassKg * MASS_CONSISTENCY_TOLERANCE);
      const compared = {
        loadedHeightMm: loaded.heightMm,
        cargoHeightMm: cargo.heightMm,
        loadedLengthMm: loaded.lengthMm,
        wheelbaseMm: vehicle.wheelbaseMm,
        grossMassKg: loaded.grossMassKg,
        axleLoadSumKg: axleSum,
        cargoPlusCurbKg: composed,
      };
      const limit = { massToleranceKg: tolerance, massToleranceShare: MASS_CONSISTENCY_TOLERANCE };
      const f = formatNumber;
      const gross = loaded.grossMassKg;
      const problems: string[] = [];
      if (loaded.heightMm <= cargo.heightMm) {
        problems.push(
          `loaded height ${f(loaded.heightMm)} mm is not above the cargo height ${f(cargo.heightMm)} mm ` +
            '(the cargo would sit on the road)',
        );
      }
      if (loaded.lengthMm <= vehicle.wheelbaseMm) {
        problems.push(
          `loaded length ${f(loaded.lengthMm)} mm is not longer than the wheelbase ${f(vehicle.wheelbaseMm)} mm`,
        );
      }
      if (Math.abs(axleSum - gross) > tolerance) {
        problems.push(
          `axle loads add up to ${f(axleSum)} kg, gross mass is ${f(gross)} kg (tolerance ${f(tolerance)} kg)`,
        );
      }
      if (Math.abs(gross - composed) > tolerance) {
        problems.push(
          `gross mass ${f(gross)} kg differs from cargo + curb mass ${f(composed)} kg by more than ${f(tolerance)} kg`,
        );
      }
      return problems.length > 0
        ? fail(capitalise(problems.join('; ')), compared, limit)
        : pass(
            `Axle loads ${f(axleSum)} kg and cargo + curb ${f(composed)} kg match the gross mass ${f(gross)} kg ` +
              `within ${f(tolerance)} kg; dimensions consistent`,
            compared,
            limit,
          );
    },
  },
  {
    id: 'G3',
    category: 'cargo',
    title: 'Over-limit category and its requirements',
    titleZh: '超限运输类别及相应材料',
    description:
      'The loaded vehicle is over-limit (otherwise no over-limit permit is needed) and its category I / II / III is ' +
      'set from the dimensions, the gross mass and the axle loads: category I needs the gross mass within the art. 3 ' +
      'limit (3,000 kg less per single-tyred axle, never more than the sum of the axle limits), every axle within its ' +
      'limit and, for a flatbed, the art. 17 axle-load figures. Category III needs an escort plan and an outline ' +
      'drawing of the loaded vehicle.',
    source:
      `${S62} art. 3 (over-limit thresholds; para. 2 items 1-3 and 5: axle counting, single tyres −3,000 kg, sum of the ` +
      'axle limits, GB 1589 exemption), art. 15 para. 1 (categories; 2 / 5 / 15 working days, 5 / 10 / 20 when a ' +
      'cross-province trip is accepted centrally), art. 17 (flatbed axle-load standards), art. 12 (轮廓图, 护送方案); ' +
      'GB 1589-2016 table 3 (single-axle limits)',
    reads: ['app.loaded', 'app.vehicle', 'app.documents', 'ref.vehicle.gb1589'],
    hardRefusal: false,
    run(app, ref) {
      const c = classifyOversize(app, ref.vehicle);
      const required = REQUIRED_DOCUMENTS[c.category];
      const days = STATUTORY_LIMIT_WORKING_DAYS[c.category];
      const crossProvinceDays = CROSS_PROVINCE_LIMIT_WORKING_DAYS[c.category];
      const compared = {
        overLimit: c.overLimit,
        category: c.category,
        grossMassKg: app.loaded.grossMassKg,
        axleLoadsKg: app.loaded.axleLoadsKg,
        overloadedAxles: c.overloadedAxles.map((a) => a.axle),
        gb1589Exempt: c.gb1589Exempt,
        escortPlan: app.documents.escortPlan,
        outlineDrawing: app.documents.outlineDrawing,
      };
      const limit = {
        statutoryLimitWorkingDays: days,
        crossProvinceLimitWorkingDays: crossProvinceDays,
        requiredDocuments: required,
        maxGrossMassKg: c.maxGrossMassKg,
        grossMassRule: c.grossMassRule,
        axleLimitsKg: c.axles.map((a) => a.maxLoadKg),
      };
      const why = c.reasons.join('; ');
      if (!c.overLimit) {
        if (c.overloadedAxles.length > 0) {
          return review(
            `${why}. Not over-limit under art. 3, but ${c.overloadedAxles.map(describeAxle).join('; ')}: a reviewer ` +
              'decides whether the load can travel at all',
            compared,
            limit,
          );
        }
        return review(`${why}: no over-limit permit is needed (the urban-road items may still apply)`, compared, limit);
      }
      const missing: string[] = [];
      if (required.includes('escort_plan') && !app.documents.escortPlan) missing.push('escort plan (护送方案)');
      if (required.includes('outline_drawing') && !app.documents.outlineDrawing) {
        missing.push('outline drawing (车货总体外廓尺寸轮廓图)');
      }
      return missing.length > 0
        ? fail(`${why}. Category ${c.category} needs: ${missing.join(', ')}, missing`, compared, limit)
        : pass(
            `${why}. Category ${c.category}: decision within ${days} working days (at most ${crossProvinceDays} ` +
              'when a cross-province trip is accepted centrally, art. 15)',
            compared,
            limit,
          );
    },
  },
];

/** The count the city published: 5 categories, 21 sub-items. A miscount is a programming error, caught at load. */
export const OVERSIZE_CHECK_COUNT = 21;

(function assertCheckTable(): void {
  const ids = new Set(OVERSIZE_CHECKS.map((c) => c.id));
  const categories = new Set(OVERSIZE_CHECKS.map((c) => c.category));
  if (OVERSIZE_CHECKS.length !== OVERSIZE_CHECK_COUNT || ids.size !== OVERSIZE_CHECK_COUNT) {
    throw new Error(
      `Expected ${OVERSIZE_CHECK_COUNT} oversize checks with unique ids, got ${OVERSIZE_CHECKS.length} (${ids.size} ids)`,
    );
  }
  if (categories.size !== CHECK_CATEGORIES.length || CHECK_CATEGORIES.some((c) => !categories.has(c))) {
    throw new Error(`Expected the oversize checks to cover exactly ${CHECK_CATEGORIES.join(', ')}`);
  }
})();
