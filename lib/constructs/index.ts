export * from './labels.js';
export * from './flink-deployment.js';
export * from './cutover-configmap.js';
export * from './cutover-rbac.js';
export * from './pipeline.js';
export * from './render.js';
export * from './synth.js';
export * from './verify-job.js';
