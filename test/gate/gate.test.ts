import { describe, expect, it } from 'vitest';
import { Gate } from '../../lib/gate/gate.js';
import { redistribute } from '../../lib/gate/redistribute.js';
import type { VariantBranch } from '../../lib/gate/gate.js';
import type { GateDesired, GateSnapshot } from '../../lib/gate/types.js';

const gen0: GateDesired = { active: 'blue', generation: 0, lateness: 10, gateMode: 'filter' };
const gen1: GateDesired = {
  active: 'blue',
  generation: 1,
  to: 'green',
  watermark: 1000,
  lateness: 10,
  gateMode: 'filter',
};

function ready(g: Gate, d: GateDesired = gen0): Gate {
  g.onConfig(d);
  g.onStatus(null);
  return g;
}

describe("redistribute (a standby or rescaled job restoring other subtasks' gate state)", () => {
  const snap = (over: Partial<GateSnapshot>): GateSnapshot => ({
    version: 1,
    desired: gen1,
    status: null,
    maxTimestamp: null,
    prepared: null,
    watermark: null,
    committedWatermark: null,
    held: [],
    ...over,
  });

  it('spreads held records round-robin and keeps the conservative prepare state and watermark', () => {
    const a = snap({
      maxTimestamp: 900,
      prepared: { generation: 1, maxTimestampAtPrepare: 800 },
      watermark: 700,
      held: [
        { id: 'a', t: 1000 },
        { id: 'b', t: 1001 },
      ],
    });
    const b = snap({
      maxTimestamp: 950,
      prepared: null,
      watermark: 650,
      held: [{ id: 'c', t: 1002 }],
      status: { generation: 1, phase: 'Pending', active: 'blue', to: 'green', watermark: 1000, history: [] },
    });
    const s0 = redistribute([a, b], 0, 2);
    const s1 = redistribute([a, b], 1, 2);
    expect(s0.held.map((r) => r.id)).toEqual(['a', 'c']);
    expect(s1.held.map((r) => r.id)).toEqual(['b']);
    // b had not prepared yet: its largest timestamp counts as seen at prepare.
    expect(s0.prepared).toEqual({ generation: 1, maxTimestampAtPrepare: 950 });
    expect(s0.watermark).toBe(650);
    expect(s0.status).toEqual({
      generation: 1,
      phase: 'Pending',
      active: 'blue',
      to: 'green',
      watermark: 1000,
      history: [],
    });
    expect(redistribute([a, snap({ watermark: null })], 0, 1).watermark).toBeNull();
  });

  it('a restored standby releases the held records it inherited once armed', () => {
    const a = snap({ prepared: { generation: 1, maxTimestampAtPrepare: 800 }, held: [{ id: 'a', t: 1000 }] });
    const g = Gate.restore('green', redistribute([a], 0, 1));
    expect(g.ready).toBe(false);
    g.onConfig(gen1);
    expect(
      g.onStatus({
        generation: 1,
        phase: 'Armed',
        active: 'blue',
        to: 'green',
        watermark: 1000,
        history: [],
      }),
    ).toEqual([{ record: { id: 'a', t: 1000 }, action: 'emit', owner: 'green' }]);
  });
});

describe('gate rule variants (only the simulator uses them)', () => {
  it('without restore-read, a restored gate acts on its checkpointed view at once', () => {
    const fired: VariantBranch[] = [];
    const trace = (b: string): void => void (b.startsWith('variant.') && fired.push(b as VariantBranch));
    const g = ready(new Gate('blue'));
    const snapBefore = g.snapshot();
    const r = Gate.restore('blue', snapBefore, {
      rules: { restoreRead: false, heldState: true, monotonic: true },
      trace,
    });
    expect(r.ready).toBe(true);
    expect(r.onRecord({ id: 1, t: 5000 })).toEqual({ action: 'emit' });
    expect(fired).toEqual(['variant.restore-without-read']);
  });

  it('without held state, a snapshot forgets held records and the prepare state', () => {
    const g = ready(
      new Gate('green', { rules: { restoreRead: true, heldState: false, monotonic: true } }),
      gen1,
    );
    expect(g.onRecord({ id: 1, t: 1000 })).toEqual({ action: 'hold' });
    const s = g.snapshot();
    expect(s.held).toEqual([]);
    expect(s.prepared).toBeNull();
    const r = Gate.restore('green', s, { rules: { restoreRead: true, heldState: false, monotonic: true } });
    r.onConfig(gen1);
    r.onStatus(null);
    expect(r.metrics().preparedGeneration).toBe(1);
  });

  it('without monotonic phases, a gate follows a status that moves backwards', () => {
    const g = ready(
      new Gate('green', { rules: { restoreRead: true, heldState: true, monotonic: false } }),
      gen1,
    );
    g.onStatus({ generation: 1, phase: 'Armed', active: 'blue', to: 'green', watermark: 1000, history: [] });
    expect(g.onRecord({ id: 1, t: 1000 })).toEqual({ action: 'emit' });
    g.onStatus({
      generation: 1,
      phase: 'Rejected',
      active: 'blue',
      to: 'green',
      watermark: 1000,
      history: [],
    });
    expect(g.phase).toBe('Rejected');
    expect(g.onRecord({ id: 2, t: 1000 })).toEqual({ action: 'drop' });
  });

  it('exposes what it acts on', () => {
    const g = ready(new Gate('blue'), gen1);
    expect(g.desired).toEqual(gen1);
    expect(g.phase).toBe('Pending');
    expect(new Gate('blue').phase).toBe('none');
  });
});
