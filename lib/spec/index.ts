export * from './types.js';
export * from './diagnostics.js';
export * from './duration.js';
export * from './effective.js';
export * from './load.js';
export * from './schema.js';
export * from './paths.js';
export * from './yaml-source.js';
