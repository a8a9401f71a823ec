export * from './types.js';
export * from './errors.js';
export * from './http.js';
export * from './client.js';
export * from './latest-checkpoint.js';
export * from './gate-metrics.js';
