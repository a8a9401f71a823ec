/**
 * flink-cutover as a library: the pipeline spec (loading, validation, effective color specs) and
 * the cdk8s constructs that render it.
 */
export * from './spec/index.js';
export * from './constructs/index.js';
export * from './flink/index.js';
export * from './verify/index.js';
