/**
 * The oversize pre-review engine: input validation (impossible values are HTTP 400s with the field named, never a
 * rule verdict) and the report of the 21 checks with category, statutory limit, documents and disposition.
 *
 * Pure and deterministic (no clock: `ref.today` is today), dependency-free: safe in Temporal's workflow sandbox.
 */
import { isValidIdCardNumber, isValidPlate } from '../identifiers';
import { OVERSIZE_CHECKS, parseIsoInstant } from './checks';
import type { OversizeCheck } from './checks';
import {
  CROSS_PROVINCE_LIMIT_WORKING_DAYS,
  REQUIRED_DOCUMENTS,
  STATUTORY_LIMIT_WORKING_DAYS,
  classifyOversize,
  formatNumber,
} from './limits';
import type {
  CheckReport,
  CheckResult,
  OversizeApplication,
  OversizeFieldError,
  OversizeReferenceData,
} from './types';

/** Upper bound on axles (a modular hydraulic trailer combination can have many; more than 20 is a typing error). */
export const MAX_AXLES = 20;
/** A loaded vehicle lower, narrower or shorter than this is impossible: the value was probably given in metres. */
export const MIN_LOADED_DIMENSION_MM = 1000;

function runOne(check: OversizeCheck, app: OversizeApplication, ref: OversizeReferenceData): CheckResult {
  let outcome;
  try {
    outcome = check.run(app, ref);
  } catch (err) {
    // A check must never crash the review: an unexpected shape of reference data goes to a person.
    outcome = {
      verdict: 'needs_review' as const,
      explanation: `The check could not be evaluated automatically (${err instanceof Error ? err.name : 'error'})`,
      compared: {},
    };
  }
  return {
    id: check.id,
    category: check.category,
    title: check.title,
    titleZh: check.titleZh,
    source: check.source,
    ...outcome,
    hardRefusal: check.hardRefusal && outcome.verdict === 'fail',
  };
}

/**
 * Runs the 21 checks on a validated application (see `validateOversizeApplication`) against the government's data.
 * A hard refusal (divisible cargo, flatbed axle loads over the art. 17 figures) => disposition 'reject'; any other
 * fail or needs_review => 'human_review' with the full report; all pass => 'fast_track'. The report carries both
 * periods of 62号令 art. 15 para. 1: the one for a trip within the authority's area and the longest one for a
 * cross-province trip accepted centrally. Which applies (and that it binds the highway permit only) is the caller's
 * decision: the form has no province.
 */
export function runOversizeChecks(app: OversizeApplication, ref: OversizeReferenceData): CheckReport {
  const results = OVERSIZE_CHECKS.map((check) => runOne(check, app, ref));
  const classification = classifyOversize(app, ref.vehicle);
  const counts = { pass: 0, fail: 0, needs_review: 0 };
  for (const r of results) counts[r.verdict] += 1;
  const refusals = results.filter((r) => r.hardRefusal);
  const hardRefusal = refusals.length > 0;
  const allPass = counts.pass === results.length;
  return {
    results,
    overLimit: classification.overLimit,
    category: classification.category,
    categoryReasons: classification.reasons,
    statutoryLimitWorkingDays: STATUTORY_LIMIT_WORKING_DAYS[classification.category],
    crossProvinceLimitWorkingDays: CROSS_PROVINCE_LIMIT_WORKING_DAYS[classification.category],
    requiredDocuments: [...REQUIRED_DOCUMENTS[classification.category]],
    hardRefusal,
    refusalReasons: refusals.map((r) => `${r.id} ${r.title}: ${r.explanation}`),
    allPass,
    counts,
    disposition: hardRefusal ? 'reject' : allPass ? 'fast_track' : 'human_review',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of the submitted form (impossible values => 400 with the field path)
// ---------------------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (v === undefined) return 'nothing';
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v;
}

class FieldErrors {
  readonly errors: OversizeFieldError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** The section at `path`, or undefined (with an error) when it is not an object. */
  section(root: Obj, key: string): Obj | undefined {
    const v = root[key];
    if (isObject(v)) return v;
    this.add(key, `is required (an object), got ${show(v)}`);
    return undefined;
  }

  /** A finite number > 0 (or >= min), optionally an integer; returns it when valid. */
  positive(
    obj: Obj,
    path: string,
    key: string,
    unit: 'mm' | 'kg' | '',
    opts: { integer?: boolean; min?: number; max?: number; hint?: string } = {},
  ): number | undefined {
    const v = obj[key];
    const full = `${path}.${key}`;
    const what = unit === 'mm' ? 'a length in millimetres' : unit === 'kg' ? 'a mass in kilograms' : 'a number';
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(full, `must be ${what}, got ${show(v)}`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) {
      this.add(full, `must be a whole number, got ${show(v)}`);
      return undefined;
    }
    if (v <= 0 && opts.min === undefined) {
      this.add(full, `must be greater than 0${unit ? ` ${unit}` : ''}, got ${show(v)}`);
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      const min = `${formatNumber(opts.min)}${unit ? ` ${unit}` : ''}`;
      this.add(full, `must be at least ${min}, got ${show(v)}${opts.hint ?? ''}`);
      return undefined;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.add(full, `must be at most ${formatNumber(opts.max)}${unit ? ` ${unit}` : ''}, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  text(obj: Obj, path: string, key: string): string | undefined {
    const v = obj[key];
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(path ? `${path}.${key}` : key, `must be a non-empty text, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  bool(obj: Obj, path: string, key: string): void {
    if (typeof obj[key] !== 'boolean') this.add(`${path}.${key}`, `must be true or false, got ${show(obj[key])}`);
  }

  oneOf<T extends string>(obj: Obj, path: string, key: string, values: readonly T[]): T | undefined {
    const v = obj[key];
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    this.add(`${path}.${key}`, `must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${show(v)}`);
    return undefined;
  }
}

const METRES_HINT = ' (values are millimetres: 4.2 m is 4200)';

/**
 * Impossible or malformed values of an oversize application, each with its field path ('loaded.heightMm',
 * 'loaded.axleLoadsKg.2'). Empty = valid. Accepts anything (parsed JSON); a non-empty answer is an HTTP 400.
 *
 * Errors: missing or mistyped fields; zero or negative dimensions and masses; loaded dimensions under 1,000 mm
 * (metres given instead of millimetres); axles not 2..20; drive axles not 1..axles; fewer than 2 tyres per axle;
 * one axle load per axle; `flatbedKind` on a vehicle that is not a flatbed, and a hydraulic flatbed without
 * `axleLines` or with more lines than its axles hold; loaded height / width / length below the cargo's; gross mass
 * below cargo + curb mass;
 * instants not ISO 8601 with offset; travelTo not after travelFrom; no route segments; an invalid identity card
 * number (GB 11643-1999) or plate; blank escort names.
 */
export function validateOversizeApplication(input: unknown): OversizeFieldError[] {
  const e = new FieldErrors();
  if (!isObject(input)) {
    e.add('', `must be an object, got ${show(input)}`);
    return e.errors;
  }

  const cargo = e.section(input, 'cargo');
  let cargoDims: { l?: number; w?: number; h?: number; m?: number } = {};
  if (cargo) {
    e.text(cargo, 'cargo', 'name');
    e.bool(cargo, 'cargo', 'divisible');
    cargoDims = {
      l: e.positive(cargo, 'cargo', 'lengthMm', 'mm'),
      w: e.positive(cargo, 'cargo', 'widthMm', 'mm'),
      h: e.positive(cargo, 'cargo', 'heightMm', 'mm'),
      m: e.positive(cargo, 'cargo', 'massKg', 'kg'),
    };
  }

  const vehicle = e.section(input, 'vehicle');
  let axles: number | undefined;
  let curbMassKg: number | undefined;
  if (vehicle) {
    const plate = e.text(vehicle, 'vehicle', 'plate');
    if (plate !== undefined && !isValidPlate(plate)) {
      e.add('vehicle.plate', `must be a civil plate number such as 鲁H12345 (no spaces or '·'), got ${show(plate)}`);
    }
    axles = e.positive(vehicle, 'vehicle', 'axles', '', { integer: true, min: 2, max: MAX_AXLES });
    e.oneOf(vehicle, 'vehicle', 'configuration', ['truck', 'combination'] as const);
    e.positive(vehicle, 'vehicle', 'driveAxles', '', { integer: true, min: 1, max: axles ?? MAX_AXLES });
    curbMassKg = e.positive(vehicle, 'vehicle', 'curbMassKg', 'kg');
    e.positive(vehicle, 'vehicle', 'wheelbaseMm', 'mm');
    e.positive(vehicle, 'vehicle', 'tyres', '', {
      integer: true,
      min: axles !== undefined ? axles * 2 : 4,
      hint: ' (at least 2 tyres per axle)',
    });
    e.bool(vehicle, 'vehicle', 'flatbed');
    if (vehicle.flatbedKind !== undefined) {
      const kind = e.oneOf(vehicle, 'vehicle', 'flatbedKind', ['ordinary', 'hydraulic_multi_axle'] as const);
      if (kind !== undefined && vehicle.flatbed !== true) {
        e.add('vehicle.flatbedKind', `is only for a flatbed (vehicle.flatbed is ${show(vehicle.flatbed)})`);
      }
      if (kind === 'hydraulic_multi_axle' && vehicle.axleLines === undefined) {
        e.add('vehicle.axleLines', 'is required for a hydraulic multi-axle flatbed (axle lines of 一线两轴8轮胎)');
      }
    }
    if (vehicle.axleLines !== undefined) {
      const lines = e.positive(vehicle, 'vehicle', 'axleLines', '', { integer: true, min: 1 });
      if (lines !== undefined && vehicle.flatbedKind !== 'hydraulic_multi_axle') {
        e.add('vehicle.axleLines', "is only for vehicle.flatbedKind 'hydraulic_multi_axle'");
      } else if (lines !== undefined && axles !== undefined && 2 * lines > axles - 1) {
        e.add(
          'vehicle.axleLines',
          `${lines} axle lines need ${2 * lines} trailer axles, more than the ${axles} axles less the steering axle`,
        );
      }
    }
  }

  const loaded = e.section(input, 'loaded');
  if (loaded) {
    const dims: [key: string, cargoValue: number | undefined, noun: string][] = [
      ['lengthMm', cargoDims.l, 'length'],
      ['widthMm', cargoDims.w, 'width'],
      ['heightMm', cargoDims.h, 'height'],
    ];
    for (const [key, cargoValue, noun] of dims) {
      const v = e.positive(loaded, 'loaded', key, 'mm', { min: MIN_LOADED_DIMENSION_MM, hint: METRES_HINT });
      if (v !== undefined && cargoValue !== undefined && v < cargoValue) {
        e.add(
          `loaded.${key}`,
          `loaded ${noun} ${formatNumber(v)} mm is less than the cargo ${noun} ${formatNumber(cargoValue)} mm`,
        );
      }
    }
    const gross = e.positive(loaded, 'loaded', 'grossMassKg', 'kg');
    const cargoMass = cargoDims.m;
    if (gross !== undefined && cargoMass !== undefined && curbMassKg !== undefined && gross < cargoMass + curbMassKg) {
      e.add(
        'loaded.grossMassKg',
        `gross mass ${formatNumber(gross)} kg is less than cargo ${formatNumber(cargoMass)} kg + curb mass ` +
          `${formatNumber(curbMassKg)} kg = ${formatNumber(cargoMass + curbMassKg)} kg`,
      );
    }
    const loads = loaded.axleLoadsKg;
    if (!Array.isArray(loads)) {
      e.add('loaded.axleLoadsKg', `must be a list of axle loads in kilograms, got ${show(loads)}`);
    } else {
      if (axles !== undefined && loads.length !== axles) {
        e.add('loaded.axleLoadsKg', `must have one load per axle: ${axles} axles, got ${loads.length} loads`);
      }
      loads.forEach((_, i) => e.positive(loads as unknown as Obj, 'loaded.axleLoadsKg', String(i), 'kg'));
    }
  }

  const route = e.section(input, 'route');
  if (route) {
    e.text(route, 'route', 'originCity');
    e.text(route, 'route', 'destinationCity');
    const segments = route.segmentIds;
    if (!Array.isArray(segments) || segments.length === 0) {
      e.add('route.segmentIds', `must list at least one route segment, got ${show(segments)}`);
    } else {
      segments.forEach((s, i) => {
        if (typeof s !== 'string' || s.trim() === '') {
          e.add(`route.segmentIds.${i}`, `must be a segment id, got ${show(s)}`);
        }
      });
    }
    const instant = (key: 'travelFrom' | 'travelTo'): number | undefined => {
      const v = parseIsoInstant(route[key]);
      if (v === undefined) {
        const example = '2026-03-02T22:00:00+08:00';
        e.add(`route.${key}`, `must be an ISO 8601 date-time with offset, e.g. ${example}, got ${show(route[key])}`);
      }
      return v;
    };
    const from = instant('travelFrom');
    const to = instant('travelTo');
    if (from !== undefined && to !== undefined && to <= from) {
      e.add('route.travelTo', `must be after travelFrom (${String(route.travelFrom)}), got ${show(route.travelTo)}`);
    }
    e.oneOf(route, 'route', 'tripKind', ['single', 'repeated'] as const);
  }

  const idCard = input.driverIdCard;
  if (typeof idCard !== 'string' || !isValidIdCardNumber(idCard)) {
    e.add(
      'driverIdCard',
      'must be an 18-character resident identity card number with a valid check character (GB 11643-1999)',
    );
  }

  const escorts = input.escortStaff;
  if (!Array.isArray(escorts)) {
    e.add('escortStaff', `must be a list of names (possibly empty), got ${show(escorts)}`);
  } else {
    escorts.forEach((s, i) => {
      if (typeof s !== 'string' || s.trim() === '') e.add(`escortStaff.${i}`, `must be a name, got ${show(s)}`);
    });
  }

  const documents = e.section(input, 'documents');
  if (documents) {
    e.bool(documents, 'documents', 'escortPlan');
    e.bool(documents, 'documents', 'outlineDrawing');
  }
  return e.errors;
}
