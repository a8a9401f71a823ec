/**
 * A color without a gate (`gate: false`, an adopted job): nothing is injected, so it reads no
 * ConfigMap, reports no gate metrics and emits every record until it is torn down. A cutover from
 * it is at-least-once: records at or past W are emitted by both colors until then.
 */
import type {
  GateDesired,
  GateMetrics,
  GateRecord,
  GateSnapshot,
  GateStatus,
  RecordDecision,
  Released,
} from '../gate/types.js';
import { emptySnapshot } from '../gate/gate.js';

export class UngatedJob {
  readonly ready = true;
  readonly phase = 'none' as const;
  readonly held: readonly GateRecord[] = [];
  private watermark: number | null = null;
  private committed: number | null = null;

  onConfig(_d: GateDesired): Released[] {
    return [];
  }

  onStatus(_s: GateStatus | null): Released[] {
    return [];
  }

  onRecord(_r: GateRecord): RecordDecision {
    return { action: 'emit' };
  }

  onWatermark(w: number): void {
    if (this.watermark === null || w > this.watermark) this.watermark = w;
  }

  /** No gate, no gate state (a standby started from this job's checkpoint starts its gate empty), but the job's watermark. */
  snapshot(): GateSnapshot {
    return { ...emptySnapshot(), watermark: this.watermark };
  }

  onCheckpointComplete(s: GateSnapshot): void {
    if (s.watermark !== null && (this.committed === null || s.watermark > this.committed))
      this.committed = s.watermark;
  }

  /** What the controller reads for a job without a gate: its watermark as covered by its last completed checkpoint. */
  metrics(): GateMetrics {
    return { preparedGeneration: 0, maxTimestampAtPrepare: null, gateWatermark: this.committed };
  }
}
