import { emptySnapshot, FORWARD } from './gate.js';
import type { GateSnapshot } from './types.js';

function max(a: number | null, b: number): number {
  return a === null || b > a ? b : a;
}

/**
 * The state subtask `index` of `parallelism` restores when the snapshots of another parallelism
 * are redistributed (a standby starting from the active color's checkpoint, or a rescale):
 * held records round-robin, the newest desired/status, the largest timestamps, the smallest
 * watermark (what every old subtask's committed output covers).
 */
export function redistribute(
  snaps: readonly GateSnapshot[],
  index: number,
  parallelism: number,
): GateSnapshot {
  const out = emptySnapshot();
  let i = 0;
  let wm: number | null | undefined;
  for (const s of snaps) {
    if (s.desired && (!out.desired || s.desired.generation > out.desired.generation))
      out.desired = { ...s.desired };
    if (
      s.status &&
      (!out.status ||
        s.status.generation > out.status.generation ||
        (s.status.generation === out.status.generation && FORWARD[out.status.phase].includes(s.status.phase)))
    )
      out.status = { ...s.status, history: s.status.history.map((h) => ({ ...h })) };
    if (s.maxTimestamp !== null) out.maxTimestamp = max(out.maxTimestamp, s.maxTimestamp);
    wm =
      wm === undefined ? s.watermark : wm === null || s.watermark === null ? null : Math.min(wm, s.watermark);
    for (const r of s.held) {
      if (i % parallelism === index) out.held.push({ ...r });
      i++;
    }
  }
  // Prepared for the newest generation with the largest timestamp any old subtask had seen at its
  // prepare (or at all, for one that had not prepared yet): never smaller than the truth.
  const g = out.desired?.generation ?? 0;
  if (g > 0) {
    let m: number | null = null;
    for (const s of snaps) {
      const v = s.prepared?.generation === g ? s.prepared.maxTimestampAtPrepare : s.maxTimestamp;
      if (v !== null) m = max(m, v);
    }
    out.prepared = { generation: g, maxTimestampAtPrepare: m };
  }
  out.watermark = wm ?? null;
  out.committedWatermark = out.watermark;
  return out;
}
