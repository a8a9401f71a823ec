/**
 * flink-cutover as a library: the pipeline spec (loading, validation, effective color specs), the
 * cdk8s constructs that render it, the handover's reference logic (gate, controller decision), the
 * pull-request policy engine, and the Flink REST client with the validation checks.
 */
export * from './spec/index.js';
export * from './constructs/index.js';
export * from './flink/index.js';
export * from './verify/index.js';
export * from './gate/index.js';
export { checkPolicy, pairPipelines } from './policy/engine.js';
export type { CheckInput, CheckResult, CheckSummary } from './policy/engine.js';
export { RULES } from './policy/rules/index.js';
