import type { Color } from '../spec/types.js';
import type { CutoverDesired, CutoverStatus } from './contract.js';

/** What a gate needs from the `<name>-cutover` ConfigMap (the contract without names and URLs). */
export type GateDesired = Pick<
  CutoverDesired,
  'active' | 'generation' | 'to' | 'watermark' | 'lateness' | 'gateMode'
>;

/**
 * What a gate needs from the `<name>-cutover-status` ConfigMap: the decided generation, its phase,
 * its from/to colors and W (so a generation known only from the status is judged by the values the
 * controller decided on) and the handover chain it continues.
 */
export type GateStatus = Pick<
  CutoverStatus,
  'generation' | 'phase' | 'active' | 'to' | 'watermark' | 'history'
>;

/** A record as the gate sees it: an id (for audits and vectors) and its event timestamp. */
export interface GateRecord {
  id: string | number;
  t: number;
}

/** What the gate does with a record it is given. `wait`: not ready (backpressure); retry the same record later. */
export type RecordDecision =
  | { action: 'emit' }
  | { action: 'drop' }
  | { action: 'hold' }
  | { action: 'tag'; owner: Color }
  | { action: 'wait' };

/** A held record leaving the gate once the generation is decided. */
export interface Released {
  record: GateRecord;
  action: 'emit' | 'drop' | 'tag';
  owner: Color;
}

/** The gate operator's metrics (`flink-cutover-gate` metric group), per subtask. */
export interface GateMetrics {
  /** The cutover generation the subtask prepared for; 0 = none. */
  preparedGeneration: number;
  /** Largest record timestamp the subtask had seen when it prepared; null = none seen. */
  maxTimestampAtPrepare: number | null;
  /**
   * The gate's watermark as of its last completed checkpoint (what its committed output covers);
   * null = none yet. The controller completes a cutover on this, so a restore never takes it back.
   */
  gateWatermark: number | null;
}

/** The gate's checkpointed state (operator state; JSON-serializable). */
export interface GateSnapshot {
  version: 1;
  desired: GateDesired | null;
  status: GateStatus | null;
  maxTimestamp: number | null;
  prepared: { generation: number; maxTimestampAtPrepare: number | null } | null;
  watermark: number | null;
  committedWatermark: number | null;
  held: GateRecord[];
}

/**
 * The protocol rules a gate implements (README "The handover"). All true is the protocol; the simulator turns
 * one off at a time to show what it prevents.
 */
export interface GateRules {
  /** Read the current desired and status ConfigMaps before the first record after a restore. */
  restoreRead: boolean;
  /** Held records and the prepare state are part of the checkpoint. */
  heldState: boolean;
  /** Ignore a status that moves a generation's phase backwards (Armed -> Pending/Rejected). */
  monotonic: boolean;
}

export const PROTOCOL_GATE_RULES: GateRules = Object.freeze({
  restoreRead: true,
  heldState: true,
  monotonic: true,
});
