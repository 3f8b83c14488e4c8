/**
 * The statutory limits of over-limit transport (超限运输车辆行驶公路管理规定, 交通运输部令2016年第62号) as data, and
 * the classification of a loaded vehicle into over-limit category I / II / III.
 *
 * Boundary rule everywhere: a value exactly at a limit is within it (4,000 mm high is not over-limit; 4,010 mm is).
 * Units: millimetres and kilograms. Pure and dependency-free (safe in Temporal's workflow sandbox).
 */
import type { OversizeApplication, OversizeCategory, VehicleConfiguration } from './types';

/** 62号令 art. 3 (1)-(3): over-limit when the loaded vehicle is higher, wider or longer than these. */
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
 * 62号令 art. 3 (4)-(8): gross mass (车货总质量) limits by axles and configuration. The table lists no 2-axle or
 * 5-axle distinction between trucks and combinations, so those rows apply to both.
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
 * The gross mass limit for a vehicle. The regulation words the 46,000 kg limit for a tractor with a single drive
 * axle; it is applied to every 6+ axle vehicle with `driveAxles === 1` (the stricter reading). Fewer than 2 axles
 * cannot pass `validateOversizeApplication`; they get the 2-axle row.
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

/**
 * 62号令 art. 8 [unsure on the article number]: category I is within all of these and within the art. 3 gross mass
 * limit; category II within all of these and at most 100,000 kg; category III is anything beyond II.
 */
export const CATEGORY_BOUNDS = {
  I: { maxHeightMm: 4200, maxWidthMm: 3000, maxLengthMm: 20000 },
  II: { maxHeightMm: 4500, maxWidthMm: 3750, maxLengthMm: 28000, maxGrossMassKg: 100000 },
} as const;

/** The statutory decision period of each category, in working days. */
export const STATUTORY_LIMIT_WORKING_DAYS: Record<OversizeCategory, 2 | 5 | 15> = { I: 2, II: 5, III: 15 };

/**
 * Refusal limits for an ordinary flatbed (普通平板车): refused when the average axle load is over 10,000 kg or any
 * axle load over 13,000 kg. [unsure] on the exact figures and article (62号令 art. 17-19 area): confirm against the
 * published text before relying on them.
 */
export const FLATBED_REFUSAL_AXLE_LIMITS = { maxAverageAxleLoadKg: 10000, maxAxleLoadKg: 13000 } as const;

/** Repeated trips on a fixed route: one pass valid up to 6 months (62号令, [unsure] on the article). */
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

/** 62号令 art. 11 (every category) and art. 12 (beyond category II) [unsure on the article numbers]. */
export const REQUIRED_DOCUMENTS: Record<OversizeCategory, readonly string[]> = {
  I: BASE_DOCUMENTS,
  II: BASE_DOCUMENTS,
  III: [...BASE_DOCUMENTS, 'escort_plan', 'outline_drawing'],
};

/** Scope entries that count as bulky-cargo transport (道路大型物件运输) on an operating permit. */
export function scopeCoversBulkyCargo(scope: readonly string[]): boolean {
  return scope.some((s) => s === 'bulky_cargo' || s.includes('大型物件') || s.includes('大件运输'));
}

/** '43001' -> '43,001'; keeps decimals ('4.5' stays '4.5'). Own code: no locale data in the workflow sandbox. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [int = '0', frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

export interface OversizeClassification {
  /** Whether any art. 3 threshold is exceeded. */
  overLimit: boolean;
  /** Category I also covers a vehicle that is not over-limit at all (it is within every category I bound). */
  category: OversizeCategory;
  /** Each exceeded threshold, then why the category, with values and limits. */
  reasons: string[];
  maxGrossMassKg: number;
  grossMassRule: string;
}

/** Over-limit test (art. 3) and category (art. 8) of a loaded vehicle. Exactly at a limit is within it. */
export function classifyOversize(app: Pick<OversizeApplication, 'loaded' | 'vehicle'>): OversizeClassification {
  const { heightMm, widthMm, lengthMm, grossMassKg } = app.loaded;
  const { maxGrossMassKg, rule } = grossMassLimit(app.vehicle);
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
  const m = over(`Gross mass (${rule} limit)`, grossMassKg, maxGrossMassKg, 'kg');
  const overLimit = h || w || l || m;

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
  if (grossMassKg > maxGrossMassKg) {
    beyondI.push(`gross mass ${formatNumber(grossMassKg)} kg > ${formatNumber(maxGrossMassKg)} kg (${rule} limit)`);
  }
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
            `long and the ${formatNumber(maxGrossMassKg)} kg gross mass limit`
        : `Not over-limit: height ${formatNumber(heightMm)} mm, width ${formatNumber(widthMm)} mm, length ` +
            `${formatNumber(lengthMm)} mm and gross mass ${formatNumber(grossMassKg)} kg are all within the art. 3 ` +
            `limits (${formatNumber(o.heightMm)} / ${formatNumber(o.widthMm)} / ${formatNumber(o.lengthMm)} mm, ` +
            `${formatNumber(maxGrossMassKg)} kg)`,
    );
  }
  return { overLimit, category, reasons, maxGrossMassKg, grossMassRule: rule };
}
