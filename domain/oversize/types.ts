/**
 * Types of the oversize / heavy cargo transport one-stop (大件运输一件事) automatic pre-review: 5 categories, 21
 * checks. Pure types; nothing here may touch Node, the ORM, Express or zod (the workflow sandbox imports it).
 *
 * Units are explicit in every name: lengths in millimetres (`…Mm`), masses in kilograms (`…Kg`). Dates are
 * 'YYYY-MM-DD' (compared as strings; '' or null = none on record); instants are ISO 8601 with an offset
 * ('2026-03-02T22:00:00+08:00').
 */

export type VehicleConfiguration = 'truck' | 'combination';

/**
 * The two flatbeds 62号令 art. 17 names: an ordinary flatbed (普通平板车) and a hydraulic multi-axle flatbed
 * (多轴多轮液压平板车, counted in axle lines of 一线两轴8轮胎).
 */
export type FlatbedKind = 'ordinary' | 'hydraulic_multi_axle';

/** The vehicle kinds of 62号令 art. 3 para. 2 item 5 that are not over-limit vehicles when they conform to GB 1589. */
export type Gb1589ExemptKind = 'refrigerated' | 'combination' | 'air_suspension' | 'special_work_vehicle';

/** What the applicant submits (the unified form, 一表申请). Validate with `validateOversizeApplication` first. */
export interface OversizeApplication {
  cargo: {
    name: string;
    /** Divisible (可分载) cargo cannot get an over-limit permit: it must be split into legal loads. */
    divisible: boolean;
    lengthMm: number;
    widthMm: number;
    heightMm: number;
    massKg: number;
  };
  vehicle: {
    plate: string;
    /** Total axles of the truck or of the whole combination (tractor + trailer). */
    axles: number;
    configuration: VehicleConfiguration;
    /** Drive axles of the truck / tractor: a 6+ axle vehicle with a single drive axle has a lower gross mass limit. */
    driveAxles: number;
    curbMassKg: number;
    wheelbaseMm: number;
    /**
     * Number of tyres of the whole vehicle. With 2 (single tyres) or 4 (dual tyres) per axle it tells how many axles
     * are single-tyred: 62号令 art. 3 para. 2 item 2 lowers the limit by 3,000 kg for each of them.
     */
    tyres: number;
    /** A flatbed (平板车): the axle-load standards of 62号令 art. 17 apply. */
    flatbed: boolean;
    /**
     * Which flatbed, when `flatbed` is true. Absent = 'ordinary': the portal form has only the boolean today, so a
     * hydraulic flatbed can be declared only where a caller sets this field.
     */
    flatbedKind?: FlatbedKind;
    /**
     * Hydraulic multi-axle flatbed only: its axle lines (一线两轴8轮胎). Its axles are the last 2 × axleLines entries
     * of `loaded.axleLoadsKg`, two per line, front to back.
     */
    axleLines?: number;
  };
  loaded: {
    lengthMm: number;
    widthMm: number;
    /** From the ground. */
    heightMm: number;
    grossMassKg: number;
    /** One entry per axle, front to back. */
    axleLoadsKg: number[];
  };
  route: {
    originCity: string;
    destinationCity: string;
    segmentIds: string[];
    /** ISO 8601 with offset. For a 'repeated' pass: the start of its validity period. */
    travelFrom: string;
    /** ISO 8601 with offset. For a 'repeated' pass: the end of its validity period (at most 6 months). */
    travelTo: string;
    tripKind: 'single' | 'repeated';
  };
  driverIdCard: string;
  /** Names of the escort staff (护送人员). */
  escortStaff: string[];
  /** Whether the applicant attached these (required for category III). */
  documents: { escortPlan: boolean; outlineDrawing: boolean };
}

export type RoadRestrictionKind = 'bridge' | 'tunnel' | 'underpass' | 'narrow';

export interface RoadRestriction {
  id: string;
  kind: RoadRestrictionKind;
  name: string;
  /** The segment the structure is on, when known (for the explanation only). */
  segmentId?: string;
  /** Bridges: the largest gross mass it carries. */
  maxGrossMassKg?: number | null;
  /** Tunnels and underpasses: the clearance height. */
  maxHeightMm?: number | null;
  /** Narrow segments: the widest vehicle that passes. */
  maxWidthMm?: number | null;
  /** Demo seed data, not a surveyed structure. */
  demo?: boolean;
}

export interface TravelWindow {
  /** Local hour (0-23) the window opens. */
  fromHour: number;
  /** Local hour (0-24) the window closes; smaller than `fromHour` means the next day (22..6 = overnight). */
  toHour: number;
  /** Offset of the local time from UTC in minutes; default 480 (Asia/Shanghai, no daylight saving). */
  utcOffsetMinutes?: number;
}

/** What the government already holds, loaded from PostgreSQL by an activity. `null` = not on record. */
export interface OversizeReferenceData {
  company: {
    creditCode: string;
    name: string;
    operatingPermit: { no: string; validUntil: string; scope: string[] } | null;
    /** On the serious-violation list (严重违法超限超载失信名单). */
    seriousViolation: boolean;
    liabilityInsuranceValidUntil: string | null;
  } | null;
  driver: {
    idCard: string;
    name: string;
    /** 'YYYY-MM-DD'; when absent or empty, the birth date in the identity card number is used. */
    birthDate?: string;
    /** E.g. 'A2', 'B2', 'A2D' (several classes in one string are recognised). */
    licenceClass: string | null;
    licenceValidUntil: string | null;
    freightQualificationValidUntil: string | null;
  } | null;
  vehicle: {
    plate: string;
    ownerCreditCode: string;
    axles: number;
    configuration: VehicleConfiguration;
    drivingLicenceValidUntil: string | null;
    inspectionValidUntil: string | null;
    roadTransportCertValidUntil: string | null;
    /**
     * 62号令 art. 3 para. 2 item 5: the register records the vehicle as a refrigerated vehicle, a combination, an
     * air-suspension vehicle or a special work vehicle conforming to GB 1589, with the GB 1589 limits of its type.
     * Absent or null: not recorded, so the exemption is not applied.
     */
    gb1589?: {
      kind: Gb1589ExemptKind;
      maxLengthMm: number;
      maxWidthMm: number;
      maxHeightMm: number;
      maxGrossMassKg: number;
    } | null;
  } | null;
  /** The restrictions on the segments of the route (already filtered by the loader). */
  roadRestrictions: RoadRestriction[];
  /** The issuing authority's area, e.g. { name: '济宁市', cities: ['济宁', '任城区', …] }. */
  jurisdiction: { name: string; cities: string[] };
  /** When oversize vehicles may travel (urban roads: typically 22..6). */
  travelWindow: TravelWindow;
  /** 'YYYY-MM-DD' in the issuing authority's time zone: the checks never read the clock. */
  today: string;
}

export type CheckVerdict = 'pass' | 'fail' | 'needs_review';

export type CheckCategory = 'personnel' | 'company' | 'vehicle' | 'route' | 'cargo';

/**
 * Over-limit transport category: the three cases of 交通运输部令2016年第62号 art. 15 para. 1 (I: 2, II: 5, III: 15
 * working days; 5 / 10 / 20 when accepted centrally for a cross-province trip).
 */
export type OversizeCategory = 'I' | 'II' | 'III';

/** What one check's function returns. */
export type CheckOutcome = {
  verdict: CheckVerdict;
  /** For a reviewer: the values compared, the limit and the record they come from. */
  explanation: string;
  compared: Record<string, unknown>;
  limit?: Record<string, unknown>;
};

export type CheckResult = CheckOutcome & {
  id: string;
  category: CheckCategory;
  title: string;
  titleZh: string;
  source: string;
  /** True only when a hard-refusal check failed: the case ends as rejected. */
  hardRefusal: boolean;
};

/** What to do with the case after the pre-review. */
export type OversizeDisposition = 'reject' | 'human_review' | 'fast_track';

export type CheckReport = {
  results: CheckResult[];
  /** Whether any over-limit threshold is exceeded at all (if not, no over-limit permit is needed). */
  overLimit: boolean;
  category: OversizeCategory;
  /** Why the category (and over-limit) was chosen, with values and limits. */
  categoryReasons: string[];
  /** 62号令 art. 15 para. 1: the highway authority's decision period for a trip within its own area. */
  statutoryLimitWorkingDays: 2 | 5 | 15;
  /**
   * 62号令 art. 15 para. 1: the longest period when the case is accepted centrally for a cross-province trip (统一受理、
   * 集中办理跨省、自治区、直辖市大件运输). The form has no province, so the caller decides which of the two applies.
   */
  crossProvinceLimitWorkingDays: 5 | 10 | 20;
  /** Document codes, see `DOCUMENT_TITLES`. */
  requiredDocuments: string[];
  hardRefusal: boolean;
  refusalReasons: string[];
  allPass: boolean;
  counts: { pass: number; fail: number; needs_review: number };
  disposition: OversizeDisposition;
};

/** A field-level problem that makes the application impossible (HTTP 400), e.g. { path: 'loaded.heightMm', … }. */
export interface OversizeFieldError {
  path: string;
  message: string;
}
