/**
 * Oversize / heavy cargo transport (大件运输一件事) pre-review: 5 categories, 21 checks. Pure and dependency-free.
 */
export type {
  CheckCategory,
  CheckOutcome,
  CheckReport,
  CheckResult,
  CheckVerdict,
  OversizeApplication,
  OversizeCategory,
  OversizeDisposition,
  OversizeFieldError,
  OversizeReferenceData,
  RoadRestriction,
  RoadRestrictionKind,
  TravelWindow,
  VehicleConfiguration,
} from './types';
export {
  CATEGORY_BOUNDS,
  DOCUMENT_TITLES,
  ESCORT_REQUIRED_CATEGORIES,
  FLATBED_REFUSAL_AXLE_LIMITS,
  GROSS_MASS_LIMITS,
  MASS_CONSISTENCY_TOLERANCE,
  OVER_LIMIT_DIMENSIONS,
  REPEATED_PASS_MAX_MONTHS,
  REQUIRED_DOCUMENTS,
  STATUTORY_LIMIT_WORKING_DAYS,
  classifyOversize,
  formatNumber,
  grossMassLimit,
  scopeCoversBulkyCargo,
} from './limits';
export type { GrossMassLimitRule, OversizeClassification } from './limits';
export {
  CHECK_CATEGORIES,
  LICENCE_CLASS_COVERS,
  OVERSIZE_CHECKS,
  OVERSIZE_CHECK_COUNT,
  parseIsoInstant,
  parseLicenceClasses,
  requiredLicenceClass,
  requiredValidUntil,
} from './checks';
export type { OversizeCheck } from './checks';
export { MAX_AXLES, MIN_LOADED_DIMENSION_MM, runOversizeChecks, validateOversizeApplication } from './engine';
