/**
 * Oversize / heavy cargo transport (大件运输一件事) pre-review: 5 categories, 21 checks. Pure and dependency-free.
 */
export type {
  CheckCategory,
  CheckOutcome,
  CheckReport,
  CheckResult,
  CheckVerdict,
  FlatbedKind,
  Gb1589ExemptKind,
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
  AXLE_LOAD_LIMITS,
  CATEGORY_BOUNDS,
  CROSS_PROVINCE_LIMIT_WORKING_DAYS,
  DOCUMENT_TITLES,
  ESCORT_REQUIRED_CATEGORIES,
  FLATBED_AXLE_LIMITS,
  GROSS_MASS_LIMITS,
  MASS_CONSISTENCY_TOLERANCE,
  OVER_LIMIT_DIMENSIONS,
  REPEATED_PASS_MAX_MONTHS,
  REQUIRED_DOCUMENTS,
  SINGLE_TYRE_REDUCTION_KG,
  STATUTORY_LIMIT_WORKING_DAYS,
  applicableGrossMassLimit,
  assessAxlesAsFlatbed,
  assessFlatbedAxles,
  axleLayout,
  classifyOversize,
  describeAxle,
  flatbedKindOf,
  formatNumber,
  grossMassLimit,
  scopeCoversBulkyCargo,
} from './limits';
export type {
  AxleAssessment,
  AxleRole,
  FlatbedAxleAssessment,
  GrossMassLimitRule,
  OversizeClassification,
} from './limits';
export {
  CHECK_CATEGORIES,
  OVERSIZE_CHECKS,
  OVERSIZE_CHECK_COUNT,
  parseIsoInstant,
  requiredLicenceClass,
  requiredValidUntil,
} from './checks';
export type { OversizeCheck } from './checks';
export { MAX_AXLES, MIN_LOADED_DIMENSION_MM, runOversizeChecks, validateOversizeApplication } from './engine';
