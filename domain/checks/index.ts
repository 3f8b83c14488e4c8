/**
 * Automatic checks as a library: the comparisons (`rules`), the check types with their typed configuration
 * (`library`), form paths (`paths`), and a step's configured checks (`config`). See docs/checks.md.
 */
export * from './config';
export * from './library';
export * from './paths';
export * from './records';
export * from './rules';
