export * from './types.js';
export * from './checks.js';
export * from './observe.js';
export * from './settings.js';
export * from './run.js';
export * from './kube.js';
export * from './format.js';
