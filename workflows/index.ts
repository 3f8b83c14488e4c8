/** The workflow entry point the worker bundles. */
export { caseWorkflow } from './case-workflow';
export { retentionPurgeWorkflow } from './retention';
