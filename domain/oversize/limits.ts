/**
 * The statutory limits of over-limit transport (超限运输车辆行驶公路管理规定, 交通运输部令2016年第62号, "62号令") as
 * data, and the classification of a loaded vehicle into over-limit category I / II / III (art. 15 para. 1).
 *
 * Boundary rule everywhere: a value exactly at a limit is within it (4,000 mm high is not over-limit; 4,010 mm is).
 * Units: millimetres and kilograms. Pure and dependency-free (safe in Temporal's workflow sandbox).
 */
import { scopeCovers } from '../checks/rules';
import type {
  FlatbedKind,
  OversizeApplication,
  OversizeCategory,
  OversizeReferenceData,
  VehicleConfiguration,
} from './types';

/** 62号令 art. 3 para. 1 items 1-3: over-limit when the loaded vehicle is higher, wider or longer than these. */
export const OVER_LIMIT_DIMENSIONS = { heightMm: 4000, widthMm: 2550, lengthMm: 18100 } as const;

export interface GrossMassLimitRule {
  /** Exact axle count, or the minimum when `orMore`. */
  axles: number;
  orMore?: boolean;
  configuration: VehicleConfiguration | 'any';
  maxGrossMassKg: number;
  /** 6+ axles: the lower limit when the tractor has a single drive axle. */
  singleDriveAxleMaxGrossMassKg?: number;
  label: string;
}

/**
 * 62号令 art. 3 para. 1 items 4-8: gross mass (车货总质量) limits by axles and configuration. The article lists no
 * 2-axle or 5-axle distinction between trucks and combinations, so those rows apply to both. Art. 3 para. 2 item 1
 * counts a tandem as 2 axles and a tridem as 3, which is what `vehicle.axles` (every axle) already does.
 */
export const GROSS_MASS_LIMITS: readonly GrossMassLimitRule[] = [
  { axles: 2, configuration: 'any', maxGrossMassKg: 18000, label: '2-axle truck' },
  { axles: 3, configuration: 'truck', maxGrossMassKg: 25000, label: '3-axle truck' },
  { axles: 3, configuration: 'combination', maxGrossMassKg: 27000, label: '3-axle combination' },
  { axles: 4, configuration: 'truck', maxGrossMassKg: 31000, label: '4-axle truck' },
  { axles: 4, configuration: 'combination', maxGrossMassKg: 36000, label: '4-axle combination' },
  { axles: 5, configuration: 'any', maxGrossMassKg: 43000, label: '5-axle vehicle' },
  {
    axles: 6,
    orMore: true,
    configuration: 'any',
    maxGrossMassKg: 49000,
    singleDriveAxleMaxGrossMassKg: 46000,
    label: '6+ axle vehicle',
  },
];

/**
 * The art. 3 para. 1 table limit for a vehicle. The regulation words the 46,000 kg limit for a tractor with a single
 * drive axle; it is applied to every 6+ axle vehicle with `driveAxles === 1` (the stricter reading). Fewer than 2
 * axles cannot pass `validateOversizeApplication`; they get the 2-axle row. Art. 3 para. 2 (tyres, sum of the axle
 * limits) is applied on top by `applicableGrossMassLimit`.
 */
export function grossMassLimit(
  vehicle: Pick<OversizeApplication['vehicle'], 'axles' | 'configuration' | 'driveAxles'>,
): { maxGrossMassKg: number; rule: string } {
  const axles = Math.max(2, vehicle.axles);
  const row =
    GROSS_MASS_LIMITS.find(
      (r) =>
        (r.orMore ? axles >= r.axles : axles === r.axles) &&
        (r.configuration === 'any' || r.configuration === vehicle.configuration),
    ) ?? GROSS_MASS_LIMITS[GROSS_MASS_LIMITS.length - 1]!;
  if (row.singleDriveAxleMaxGrossMassKg !== undefined && vehicle.driveAxles === 1) {
    return { maxGrossMassKg: row.singleDriveAxleMaxGrossMassKg, rule: `${row.label} with a single drive axle` };
  }
  return { maxGrossMassKg: row.maxGrossMassKg, rule: row.label };
}

// ---------------------------------------------------------------------------------------------------------------
// Axles: art. 3 para. 2 items 2-3 (single tyres, sum of the axle limits) and art. 17 (flatbeds)
// ---------------------------------------------------------------------------------------------------------------

/** 62号令 art. 3 para. 2 item 2: each single-tyred axle other than a drive axle lowers the limit by this much. */
export const SINGLE_TYRE_REDUCTION_KG = 3000;

/**
 * The largest permitted load of one axle (最大允许轴荷), which art. 3 para. 2 item 3 sums: the single-axle figures of
 * GB 1589-2016 (汽车、挂车及汽车列车外廓尺寸、轴荷及质量限值) table 3. A single-tyred axle is the dual-tyred non-drive
 * figure less the art. 3 para. 2 item 2 reduction (10,000 − 3,000 = 7,000 kg, the GB 1589 figure for single tyres
 * on each side). The form gives no axle spacing, so tandem and tridem group limits (which need the spacing) are not
 * compared here: the route survey does that.
 */
export const AXLE_LOAD_LIMITS = {
  singleTyres: 7000,
  dualTyresNonDrive: 10000,
  dualTyresDrive: 11500,
} as const;

export type AxleRole = 'steer' | 'drive' | 'other';

export interface AxleAssessment {
  /** 1-based, front to back. */
  axle: number;
  role: AxleRole;
  tyres: 'single' | 'dual';
  loadKg: number;
  maxLoadKg: number;
  /** Counts for the art. 3 para. 2 item 2 reduction (single-tyred, neither the steering nor a drive axle). */
  reduces: boolean;
}

/**
 * The axles as the form describes them: axle 1 steers, the next `driveAxles` drive, the rest are tag and trailer
 * axles. The form gives only the tyre total, so (tyres − 2 × axles) / 2 axles are dual-tyred: drive axles first, then
 * the other axles front to back, then the steering axle. The single-tyred others are therefore the rearmost ones
 * (trailer axles on single wide tyres are the usual case). A vehicle steering on two axles is not recognised.
 */
export function axleLayout(
  vehicle: Pick<OversizeApplication['vehicle'], 'axles' | 'driveAxles' | 'tyres'>,
  loads: readonly number[],
): AxleAssessment[] {
  const n = Math.max(vehicle.axles, loads.length);
  const drive = Math.max(1, Math.min(vehicle.driveAxles, n - 1));
  let dual = Math.max(0, Math.min(n, Math.floor((vehicle.tyres - 2 * vehicle.axles) / 2)));
  const roles: AxleRole[] = Array.from({ length: n }, (_, i) => (i === 0 ? 'steer' : i <= drive ? 'drive' : 'other'));
  const isDual: boolean[] = roles.map(() => false);
  for (const want of ['drive', 'other', 'steer'] as const) {
    roles.forEach((r, i) => {
      if (r === want && dual > 0) {
        isDual[i] = true;
        dual -= 1;
      }
    });
  }
  return roles.map((role, i) => {
    const tyres = isDual[i] ? 'dual' : 'single';
    const maxLoadKg =
      tyres === 'single'
        ? AXLE_LOAD_LIMITS.singleTyres
        : role === 'drive'
          ? AXLE_LOAD_LIMITS.dualTyresDrive
          : AXLE_LOAD_LIMITS.dualTyresNonDrive;
    const reduces = tyres === 'single' && role === 'other';
    return { axle: i + 1, role, tyres, loadKg: loads[i] ?? 0, maxLoadKg, reduces };
  });
}

/**
 * The gross mass limit after art. 3 para. 2: the table limit less 3,000 kg per single-tyred axle other than the
 * steering and drive axles (item 2), and never more than the sum of the axle limits (item 3). The item 2 exception
 * for wide tyres (加宽轮胎) cannot be applied: the form does not say which tyres are fitted.
 */
export function applicableGrossMassLimit(
  vehicle: Pick<OversizeApplication['vehicle'], 'axles' | 'configuration' | 'driveAxles' | 'tyres'>,
  loads: readonly number[],
): {
  maxGrossMassKg: number;
  rule: string;
  tableLimitKg: number;
  singleTyreReductionKg: number;
  axleLimitSumKg: number;
  axles: AxleAssessment[];
} {
  const table = grossMassLimit(vehicle);
  const axles = axleLayout(vehicle, loads).slice(0, Math.max(2, vehicle.axles));
  const reducing = axles.filter((a) => a.reduces).length;
  const singleTyreReductionKg = reducing * SINGLE_TYRE_REDUCTION_KG;
  const axleLimitSumKg = axles.reduce((sum, a) => sum + a.maxLoadKg, 0);
  const reduced = table.maxGrossMassKg - singleTyreReductionKg;
  const parts = [table.rule];
  if (reducing > 0) {
    const axlesText = `${reducing} single-tyred axle${reducing > 1 ? 's' : ''}`;
    parts.push(`less ${formatNumber(singleTyreReductionKg)} kg for ${axlesText}`);
  }
  let maxGrossMassKg = reduced;
  if (axleLimitSumKg < reduced) {
    maxGrossMassKg = axleLimitSumKg;
    parts.push(`capped at the sum of the axle limits ${formatNumber(axleLimitSumKg)} kg`);
  }
  return {
    maxGrossMassKg,
    rule: parts.join(', '),
    tableLimitKg: table.maxGrossMassKg,
    singleTyreReductionKg,
    axleLimitSumKg,
    axles,
  };
}

/**
 * 62号令 art. 17 items 1-2: the permit is refused (不予许可) for an ordinary flatbed whose average axle load is over
 * 10,000 kg or whose heaviest axle is over 13,000 kg, and for a hydraulic multi-axle flatbed whose average load per
 * axle line (一线两轴8轮胎) is over 18,000 kg or whose heaviest axle line is over 20,000 kg. Art. 15 para. 1 item 1
 * also reads these as the axle-load standard of category I.
 */
export const FLATBED_AXLE_LIMITS: Record<
  FlatbedKind,
  { maxAverageKg: number; maxKg: number; per: 'axle' | 'axle line' }
> = {
  ordinary: { maxAverageKg: 10000, maxKg: 13000, per: 'axle' },
  hydraulic_multi_axle: { maxAverageKg: 18000, maxKg: 20000, per: 'axle line' },
};

/** The flatbed the vehicle is, or undefined when it is not a flatbed. */
export function flatbedKindOf(
  vehicle: Pick<OversizeApplication['vehicle'], 'flatbed' | 'flatbedKind'>,
): FlatbedKind | undefined {
  return vehicle.flatbed ? (vehicle.flatbedKind ?? 'ordinary') : undefined;
}

export interface FlatbedAxleAssessment {
  kind: FlatbedKind;
  per: 'axle' | 'axle line';
  /** The loads compared: every axle (ordinary), or each axle line = the sum of its two axles (hydraulic). */
  loadsKg: number[];
  averageKg: number;
  maxKg: number;
  /** 1-based index of the heaviest entry. */
  heaviest: number;
  limit: { maxAverageKg: number; maxKg: number };
  /** Each art. 17 figure exceeded, with values; empty = within art. 17. */
  problems: string[];
}

/** Art. 17 for a flatbed; undefined when the vehicle is not one (art. 17 names only flatbeds). */
export function assessFlatbedAxles(
  app: Pick<OversizeApplication, 'vehicle' | 'loaded'>,
): FlatbedAxleAssessment | undefined {
  const kind = flatbedKindOf(app.vehicle);
  return kind === undefined ? undefined : assessAxlesAsFlatbed(kind, app);
}

/** The art. 17 figures of `kind` applied to the vehicle's axle loads, whatever the vehicle is. */
export function assessAxlesAsFlatbed(
  kind: FlatbedKind,
  app: Pick<OversizeApplication, 'vehicle' | 'loaded'>,
): FlatbedAxleAssessment {
  const loads = app.loaded.axleLoadsKg;
  let compared = [...loads];
  if (kind === 'hydraulic_multi_axle') {
    const most = Math.floor(loads.length / 2);
    const lines = Math.max(1, Math.min(app.vehicle.axleLines ?? most, most));
    const trailer = loads.slice(loads.length - 2 * lines);
    compared = Array.from({ length: lines }, (_, i) => (trailer[2 * i] ?? 0) + (trailer[2 * i + 1] ?? 0));
  }
  const { maxAverageKg, maxKg, per } = FLATBED_AXLE_LIMITS[kind];
  const rawAverage = compared.length > 0 ? compared.reduce((a, b) => a + b, 0) / compared.length : 0;
  const averageKg = Math.round(rawAverage * 10) / 10;
  const max = compared.reduce((a, b) => Math.max(a, b), 0);
  const heaviest = compared.indexOf(max) + 1;
  const problems: string[] = [];
  if (rawAverage > maxAverageKg) {
    problems.push(`average ${per} load ${formatNumber(averageKg)} kg exceeds ${formatNumber(maxAverageKg)} kg`);
  }
  if (max > maxKg) problems.push(`${per} ${heaviest} load ${formatNumber(max)} kg exceeds ${formatNumber(maxKg)} kg`);
  return { kind, per, loadsKg: compared, averageKg, maxKg: max, heaviest, limit: { maxAverageKg, maxKg }, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Categories and periods: art. 15 para. 1
// ---------------------------------------------------------------------------------------------------------------

/**
 * 62号令 art. 15 para. 1: category I is within all of these and within the art. 3 and art. 17 mass and axle-load
 * standards; category II within all of these and at most 100,000 kg; category III is anything beyond II.
 */
export const CATEGORY_BOUNDS = {
  I: { maxHeightMm: 4200, maxWidthMm: 3000, maxLengthMm: 20000 },
  II: { maxHeightMm: 4500, maxWidthMm: 3750, maxLengthMm: 28000, maxGrossMassKg: 100000 },
} as const;

/** 62号令 art. 15 para. 1 items 1-3: the decision period for a trip within the authority's own area, in working days. */
export const STATUTORY_LIMIT_WORKING_DAYS: Record<OversizeCategory, 2 | 5 | 15> = { I: 2, II: 5, III: 15 };

/**
 * 62号令 art. 15 para. 1 items 1-3: the longest period when the origin province accepts the case for a cross-province
 * trip and the provinces on the route decide it together (统一受理、集中办理). Time spent on reinforcing or rebuilding
 * structures is not counted in either period (art. 15 para. 2).
 */
export const CROSS_PROVINCE_LIMIT_WORKING_DAYS: Record<OversizeCategory, 5 | 10 | 20> = { I: 5, II: 10, III: 20 };

/**
 * Repeated trips on a fixed route: one pass valid up to 6 months (62号令 [unsure on the article: not confirmed
 * against the published text]).
 */
export const REPEATED_PASS_MAX_MONTHS = 6;

/** Categories that need escort staff and an escort plan (护送方案). Platform rule: category III only. */
export const ESCORT_REQUIRED_CATEGORIES: readonly OversizeCategory[] = ['III'];

/**
 * Mass consistency tolerance (platform choice, not a regulation): the sum of the axle loads and the gross mass,
 * and the gross mass and cargo + curb mass, may differ by this share of the gross mass (weighing error, fuel, crew).
 */
export const MASS_CONSISTENCY_TOLERANCE = 0.02;

/** Document codes and their names. The permit and vehicle papers may be electronic certificates (证照免交). */
export const DOCUMENT_TITLES: Record<string, { zh: string; en: string }> = {
  application_form: { zh: '公路超限运输申请表', en: 'Over-limit transport application form' },
  operating_permit: { zh: '道路运输经营许可证', en: 'Road transport operating permit' },
  agent_id_and_authorisation: { zh: '经办人身份证件和授权委托书', en: "Agent's identity document and authorisation" },
  vehicle_licence: { zh: '车辆行驶证或道路运输证', en: 'Vehicle driving licence or road transport certificate' },
  outline_drawing: { zh: '车货总体外廓尺寸轮廓图', en: 'Outline drawing of the loaded vehicle' },
  escort_plan: { zh: '护送方案', en: 'Escort plan' },
};

const BASE_DOCUMENTS = ['application_form', 'operating_permit', 'agent_id_and_authorisation', 'vehicle_licence'];

/**
 * 62号令 art. 11 (every application: application form, operating permit, agent's identity document and authorisation,
 * vehicle driving licence or road transport certificate) and art. 12 (over 4.5 m high, 3.75 m wide, 28 m long or
 * 100,000 kg, i.e. category III: also the outline drawing and the escort plan). [Article numbers from the 2016 text as
 * remembered; the content of art. 12 matches the provincial service guides.]
 */
export const REQUIRED_DOCUMENTS: Record<OversizeCategory, readonly string[]> = {
  I: BASE_DOCUMENTS,
  II: BASE_DOCUMENTS,
  III: [...BASE_DOCUMENTS, 'escort_plan', 'outline_drawing'],
};

/** Scope entries that count as bulky-cargo transport (道路大型物件运输) on an operating permit. */
export function scopeCoversBulkyCargo(scope: readonly string[]): boolean {
  return scopeCovers(scope, BULKY_CARGO_SCOPE) !== undefined;
}

/** The scope code and words that name bulky-cargo transport (the `permit-covers-scope` check type's `scope`). */
export const BULKY_CARGO_SCOPE = ['bulky_cargo', '大型物件', '大件运输'] as const;

/** '43001' -> '43,001'; keeps decimals ('4.5' stays '4.5'). Own code: no locale data in the workflow sandbox. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [int = '0', frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

export interface OversizeClassification {
  /** Whether any art. 3 threshold is exceeded (after art. 3 para. 2, including the GB 1589 exemption of item 5). */
  overLimit: boolean;
  /** Category I also covers a vehicle that is not over-limit at all (it is within every category I bound). */
  category: OversizeCategory;
  /** Each exceeded threshold, then why the category, with values and limits. */
  reasons: string[];
  /** The gross mass limit after art. 3 para. 2 items 2-3. */
  maxGrossMassKg: number;
  grossMassRule: string;
  /** The art. 3 para. 1 table limit, before the tyre reduction and the axle-limit cap. */
  tableGrossMassLimitKg: number;
  singleTyreReductionKg: number;
  axleLimitSumKg: number;
  axles: AxleAssessment[];
  /** Axles over their own limit (art. 3 para. 2 item 3 figures): each keeps the load out of category I. */
  overloadedAxles: AxleAssessment[];
  /** Art. 17 for a flatbed; undefined for any other vehicle. */
  flatbed?: FlatbedAxleAssessment;
  /** Art. 3 para. 2 item 5 applied: registered GB 1589 vehicle within its type's limits, so not over-limit. */
  gb1589Exempt: boolean;
}

const AXLE_ROLE_TEXT: Record<AxleRole, string> = { steer: 'steering', drive: 'drive', other: 'non-drive' };

/** 'axle 2 (drive, dual tyres) 13,500 kg > 11,500 kg'. */
export function describeAxle(a: AxleAssessment): string {
  return (
    `axle ${a.axle} (${AXLE_ROLE_TEXT[a.role]}, ${a.tyres} tyres) ${formatNumber(a.loadKg)} kg > ` +
    `${formatNumber(a.maxLoadKg)} kg`
  );
}

/**
 * Over-limit test (62号令 art. 3 with para. 2) and category (art. 15 para. 1) of a loaded vehicle. Exactly at a
 * limit is within it. Category I needs the dimensions within the category I bounds, the gross mass within the art. 3
 * limit, every axle within its own limit and, for a flatbed, the axle loads within art. 17. `registered` is the
 * vehicle register's record, read only for the GB 1589 exemption (art. 3 para. 2 item 5).
 */
export function classifyOversize(
  app: Pick<OversizeApplication, 'loaded' | 'vehicle'>,
  registered?: Pick<NonNullable<OversizeReferenceData['vehicle']>, 'gb1589'> | null,
): OversizeClassification {
  const { heightMm, widthMm, lengthMm, grossMassKg } = app.loaded;
  const mass = applicableGrossMassLimit(app.vehicle, app.loaded.axleLoadsKg);
  const { maxGrossMassKg, rule } = mass;
  const reasons: string[] = [];
  const over = (label: string, value: number, limit: number, unit: string): boolean => {
    if (value <= limit) return false;
    reasons.push(`${label} ${formatNumber(value)} ${unit} exceeds ${formatNumber(limit)} ${unit}`);
    return true;
  };
  const o = OVER_LIMIT_DIMENSIONS;
  const h = over('Loaded height', heightMm, o.heightMm, 'mm');
  const w = over('Loaded width', widthMm, o.widthMm, 'mm');
  const l = over('Loaded length', lengthMm, o.lengthMm, 'mm');
  const m = over(`Gross mass (limit: ${rule})`, grossMassKg, maxGrossMassKg, 'kg');
  let overLimit = h || w || l || m;

  // Art. 3 para. 2 item 5: a registered GB 1589 vehicle of the listed kinds within its own type limits is not an
  // over-limit vehicle at all, even above the para. 1 figures (e.g. a 2,600 mm refrigerated body).
  const g = registered?.gb1589;
  const gb1589Exempt =
    overLimit &&
    g !== undefined &&
    g !== null &&
    heightMm <= g.maxHeightMm &&
    widthMm <= g.maxWidthMm &&
    lengthMm <= g.maxLengthMm &&
    grossMassKg <= g.maxGrossMassKg;
  if (gb1589Exempt) {
    overLimit = false;
    reasons.push(
      `Not an over-limit vehicle (art. 3 para. 2 item 5): registered as a GB 1589 ${g.kind.replace(/_/g, ' ')} and ` +
        `within its limits (${formatNumber(g.maxHeightMm)} / ${formatNumber(g.maxWidthMm)} / ` +
        `${formatNumber(g.maxLengthMm)} mm, ${formatNumber(g.maxGrossMassKg)} kg)`,
    );
  }

  const beyond = (bounds: { maxHeightMm: number; maxWidthMm: number; maxLengthMm: number }, name: string) => {
    const out: string[] = [];
    if (heightMm > bounds.maxHeightMm) {
      out.push(`height ${formatNumber(heightMm)} mm > ${formatNumber(bounds.maxHeightMm)} mm (${name} bound)`);
    }
    if (widthMm > bounds.maxWidthMm) {
      out.push(`width ${formatNumber(widthMm)} mm > ${formatNumber(bounds.maxWidthMm)} mm (${name} bound)`);
    }
    if (lengthMm > bounds.maxLengthMm) {
      out.push(`length ${formatNumber(lengthMm)} mm > ${formatNumber(bounds.maxLengthMm)} mm (${name} bound)`);
    }
    return out;
  };
  const beyondI = beyond(CATEGORY_BOUNDS.I, 'category I');
  if (grossMassKg > maxGrossMassKg && !gb1589Exempt) {
    beyondI.push(`gross mass ${formatNumber(grossMassKg)} kg > ${formatNumber(maxGrossMassKg)} kg (limit: ${rule})`);
  }
  // Art. 15 para. 1 item 1: the axle loads too must be within the art. 3 and art. 17 standards for category I.
  const overloadedAxles = mass.axles.filter((a) => a.loadKg > a.maxLoadKg);
  for (const a of overloadedAxles) beyondI.push(`${describeAxle(a)} (axle limit, art. 3 para. 2)`);
  const flatbed = assessFlatbedAxles(app);
  const flatbedName = flatbed?.kind === 'hydraulic_multi_axle' ? 'hydraulic multi-axle flatbed' : 'ordinary flatbed';
  for (const p of flatbed?.problems ?? []) beyondI.push(`${flatbedName}: ${p} (art. 17)`);

  const beyondII = beyond(CATEGORY_BOUNDS.II, 'category II');
  if (grossMassKg > CATEGORY_BOUNDS.II.maxGrossMassKg) {
    const bound = formatNumber(CATEGORY_BOUNDS.II.maxGrossMassKg);
    beyondII.push(`gross mass ${formatNumber(grossMassKg)} kg > ${bound} kg (category II bound)`);
  }

  let category: OversizeCategory;
  if (beyondII.length > 0) {
    category = 'III';
    reasons.push(`Category III: ${beyondII.join('; ')}`);
  } else if (beyondI.length > 0) {
    category = 'II';
    reasons.push(`Category II: ${beyondI.join('; ')}; within every category II bound`);
  } else {
    category = 'I';
    reasons.push(
      overLimit
        ? `Category I: within ${formatNumber(CATEGORY_BOUNDS.I.maxHeightMm)} mm high, ` +
            `${formatNumber(CATEGORY_BOUNDS.I.maxWidthMm)} mm wide, ${formatNumber(CATEGORY_BOUNDS.I.maxLengthMm)} mm ` +
            `long, the ${formatNumber(maxGrossMassKg)} kg gross mass limit (${rule}) and every axle limit`
        : gb1589Exempt
          ? `Category I bounds hold`
          : `Not over-limit: height ${formatNumber(heightMm)} mm, width ${formatNumber(widthMm)} mm, length ` +
            `${formatNumber(lengthMm)} mm and gross mass ${formatNumber(grossMassKg)} kg are all within the art. 3 ` +
            `limits (${formatNumber(o.heightMm)} / ${formatNumber(o.widthMm)} / ${formatNumber(o.lengthMm)} mm, ` +
            `${formatNumber(maxGrossMassKg)} kg: ${rule})`,
    );
  }
  return {
    overLimit,
    category,
    reasons,
    maxGrossMassKg,
    grossMassRule: rule,
    tableGrossMassLimitKg: mass.tableLimitKg,
    singleTyreReductionKg: mass.singleTyreReductionKg,
    axleLimitSumKg: mass.axleLimitSumKg,
    axles: mass.axles,
    overloadedAxles,
    ...(flatbed ? { flatbed } : {}),
    gb1589Exempt,
  };
}
