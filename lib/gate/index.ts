/** The handover's reference logic: the cutover contract, the gate state machine, the controller's decision. */
export * from './contract.js';
export * from './types.js';
export * from './gate.js';
export * from './redistribute.js';
export * from './decide.js';
