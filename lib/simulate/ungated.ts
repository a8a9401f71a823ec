/**
 * A color without a gate (`gate: false`, an adopted job): nothing is injected, so it reads no
 * ConfigMap, reports no gate metrics and emits every record until it is torn down. A cutover from
 * it is at-least-once: records at or past W are emitted by both colors until then.
 */
import type { GateDesired, GateMetrics, GateRecord, GateSnapshot, GateStatus, RecordDecision, Released } from '../gate/types.js';
import { emptySnapshot } from '../gate/gate.js';

export class UngatedJob {
  readonly ready = true;
  readonly phase = 'none' as const;
  readonly held: readonly GateRecord[] = [];

  onConfig(_d: GateDesired): Released[] {
    return [];
  }

  onStatus(_s: GateStatus | null): Released[] {
    return [];
  }

  onRecord(_r: GateRecord): RecordDecision {
    return { action: 'emit' };
  }

  onWatermark(_w: number): void {}

  /** No gate, no gate state: a standby started from this job's checkpoint starts its gate empty. */
  snapshot(): GateSnapshot {
    return emptySnapshot();
  }

  onCheckpointComplete(_s: GateSnapshot): void {}

  metrics(): GateMetrics {
    return { preparedGeneration: 0, maxTimestampAtPrepare: null, gateWatermark: null };
  }
}
