/**
 * The thread's original proposal, for comparison: each subtask switches when its own watermark
 * crosses W. No prepare, no arming, no holding: the owner of a record depends on how far the
 * subtask that happens to process it has got, which differs between the colors.
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
import type { Color } from '../spec/types.js';

export class WatermarkSwitchGate {
  readonly color: Color;
  private s: GateSnapshot;
  private isReady = false;

  constructor(color: Color, snapshot?: GateSnapshot) {
    this.color = color;
    this.s = snapshot
      ? {
          ...emptySnapshot(),
          desired: snapshot.desired ? { ...snapshot.desired } : null,
          watermark: snapshot.watermark,
          committedWatermark: snapshot.watermark,
        }
      : emptySnapshot();
  }

  get ready(): boolean {
    return this.isReady;
  }

  get phase(): 'none' {
    return 'none';
  }

  get held(): readonly GateRecord[] {
    return [];
  }

  onConfig(d: GateDesired): Released[] {
    if (!this.s.desired || d.generation === 0 || d.generation > this.s.desired.generation)
      this.s.desired = { ...d };
    this.isReady = true;
    return [];
  }

  onStatus(_s: GateStatus | null): Released[] {
    return [];
  }

  onRecord(r: GateRecord): RecordDecision {
    if (!this.isReady) return { action: 'wait' };
    const d = this.s.desired!;
    const switched = d.generation > 0 && this.s.watermark !== null && this.s.watermark >= d.watermark!;
    const owner = switched ? d.to! : d.active;
    if (r.t > (this.s.maxTimestamp ?? -Infinity)) this.s.maxTimestamp = r.t;
    if (d.gateMode === 'tag') return { action: 'tag', owner };
    return owner === this.color ? { action: 'emit' } : { action: 'drop' };
  }

  onWatermark(w: number): void {
    if (this.s.watermark === null || w > this.s.watermark) this.s.watermark = w;
  }

  snapshot(): GateSnapshot {
    return { ...this.s, desired: this.s.desired ? { ...this.s.desired } : null, held: [] };
  }

  onCheckpointComplete(snap: GateSnapshot): void {
    if (
      snap.watermark !== null &&
      (this.s.committedWatermark === null || snap.watermark > this.s.committedWatermark)
    )
      this.s.committedWatermark = snap.watermark;
  }

  metrics(): GateMetrics {
    return { preparedGeneration: 0, maxTimestampAtPrepare: null, gateWatermark: this.s.committedWatermark };
  }
}
