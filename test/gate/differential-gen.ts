/**
 * Writes seeded random gate event sequences with the reference gate's answers, one JSON object
 * per line, in the conformance vectors' step format (plus `redistribute` and `parse` steps): every
 * decision, every release and the metrics after every step. The Java gate replays the file and
 * must answer the same (java/gate DifferentialTest).
 *
 *   npx tsx test/gate/differential-gen.ts <out.jsonl> [count=10000] [seed=1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCutoverConfigMap, parseCutoverStatus } from '../../lib/gate/contract.js';
import { Gate } from '../../lib/gate/gate.js';
import { redistribute } from '../../lib/gate/redistribute.js';
import type { GateSnapshot, GateStatus, Released } from '../../lib/gate/types.js';
import type { Color } from '../../lib/spec/types.js';
import { desiredOf } from './vector-runner.js';

type Step = Record<string, unknown>;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const other = (c: Color): Color => (c === 'blue' ? 'green' : 'blue');
const released = (rs: Released[]): { id: string; action: string }[] =>
  rs.map((r) => ({ id: String(r.record.id), action: r.action === 'tag' ? `tag:${r.owner}` : r.action }));

export function sequence(seed: number): { name: string; color: Color; steps: Step[] } {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const color: Color = pick(['blue', 'green'] as const);
  let gate = new Gate(color);
  const steps: Step[] = [];
  const snaps = new Map<string, GateSnapshot>();
  // What "git" and "the controller" have said, so most events are plausible and some are not.
  let owner: Color = pick(['blue', 'green'] as const);
  let gen = 0;
  let w = 1000;
  let mode: 'filter' | 'tag' = rnd() < 0.8 ? 'filter' : 'tag';
  let lateness = pick([0, 100]);
  const decided: { generation: number; active: Color; to: Color; watermark: number }[] = [];
  let recordId = 0;
  const desiredData = (g: number, active: Color, watermark: number): Record<string, string> => {
    const d: Record<string, string> = {
      pipeline: 'orders',
      active,
      generation: String(g),
      lateness: String(lateness),
      gateMode: mode,
      'blue.restUrl': 'http://orders-blue-rest:8081',
      'blue.gate': 'true',
      'green.restUrl': 'http://orders-green-rest:8081',
      'green.gate': 'true',
    };
    if (g > 0) {
      d.to = other(active);
      d.watermark = String(watermark);
    }
    return d;
  };
  let lastDesired = desiredData(0, owner, 0);
  const statusData = (g: number, phase: string, active: Color, watermark: number): Record<string, string> => {
    const s: Record<string, string> = {
      generation: String(g),
      phase,
      active,
      to: other(active),
      watermark: String(watermark),
      updatedAt: '2026-12-01T12:00:00Z',
    };
    if (phase === 'Armed' || phase === 'Completed') s.armedAt = '2026-12-01T11:59:00Z';
    if (phase === 'Completed') s.completedAt = '2026-12-01T12:00:00Z';
    const chain = decided.filter((h) => h.generation < g);
    if (chain.length > 0 && rnd() < 0.7)
      s.history = chain.map((h) => `${h.generation}:${h.active}>${h.to}@${h.watermark}`).join(';');
    return s;
  };
  const metrics = (): void => void steps.push({ do: 'metrics', expect: gate.metrics() });
  const n = 8 + int(40);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.14) {
      // The desired ConfigMap: a repeat, a new generation, a clear, an older one, or a mode/lateness change.
      const k = rnd();
      if (k < 0.3 && gen >= 0) {
        gen += 1;
        w = int(4000);
        lastDesired = desiredData(gen, owner, w);
      } else if (k < 0.45) {
        lastDesired = desiredData(0, rnd() < 0.7 ? owner : other(owner), 0);
        gen = 0;
      } else if (k < 0.55 && gen > 1) {
        lastDesired = desiredData(gen - 1, owner, w);
      } else if (k < 0.65) {
        mode = rnd() < 0.5 ? 'filter' : 'tag';
        lateness = pick([0, 100, 250]);
        lastDesired = { ...lastDesired, gateMode: mode, lateness: String(lateness) };
      }
      const data = lastDesired;
      steps.push({ do: 'config', data, expectReleased: released(gate.onConfig(desiredOf(data))) });
    } else if (r < 0.28) {
      // The status ConfigMap: absent, or a phase of this, an older or a newer generation.
      let data: Record<string, string> | null = null;
      if (rnd() > 0.1) {
        const g = Math.max(1, gen + pick([0, 0, 0, -1, 1]));
        const phase = pick(['Pending', 'Armed', 'Rejected', 'Completed']);
        const active = g === gen ? owner : pick(['blue', 'green'] as const);
        const wm = g === gen ? w : int(4000);
        data = statusData(g, phase, active, wm);
        if (
          (phase === 'Armed' || phase === 'Completed') &&
          g === gen &&
          !decided.some((h) => h.generation === g)
        ) {
          decided.push({ generation: g, active, to: other(active), watermark: wm });
          if (phase === 'Completed' && rnd() < 0.5) owner = other(active);
        }
      }
      const parsed = data === null ? null : parseCutoverStatus(data);
      if (parsed && !parsed.ok)
        throw new Error(`generated an invalid status: ${JSON.stringify(parsed.errors)}`);
      const st: GateStatus | null =
        parsed && parsed.ok
          ? {
              generation: parsed.value.generation,
              phase: parsed.value.phase,
              active: parsed.value.active,
              to: parsed.value.to,
              watermark: parsed.value.watermark,
              history: parsed.value.history,
            }
          : null;
      steps.push({ do: 'status', data, expectReleased: released(gate.onStatus(st)) });
    } else if (r < 0.7) {
      const id = `r${recordId++}`;
      const t = int(4500) - 200;
      const d = gate.onRecord({ id, t });
      steps.push({ do: 'record', id, t, expect: d.action === 'tag' ? `tag:${d.owner}` : d.action });
    } else if (r < 0.8) {
      const value = rnd() < 0.05 ? -9223372036854775808 : int(4500) - 200;
      gate.onWatermark(value);
      steps.push({ do: 'watermark', value });
    } else if (r < 0.87) {
      const name = `cp${snaps.size}`;
      snaps.set(name, gate.snapshot());
      steps.push({ do: 'snapshot', name });
    } else if (r < 0.92 && snaps.size > 0) {
      const name = pick([...snaps.keys()]);
      gate.onCheckpointComplete(snaps.get(name)!);
      steps.push({ do: 'checkpointComplete', name });
    } else if (r < 0.96 && snaps.size > 0) {
      const name = pick([...snaps.keys()]);
      gate = Gate.restore(color, JSON.parse(JSON.stringify(snaps.get(name))) as GateSnapshot);
      steps.push({ do: 'restore', name });
    } else if (snaps.size > 0) {
      // Restore with another parallelism: this subtask's share of several old subtasks' snapshots.
      const names = Array.from({ length: 1 + int(3) }, () => pick([...snaps.keys()]));
      const parallelism = 1 + int(3);
      const index = int(parallelism);
      gate = Gate.restore(
        color,
        redistribute(
          names.map((x) => snaps.get(x)!),
          index,
          parallelism,
        ),
      );
      steps.push({ do: 'redistribute', names, index, parallelism });
    } else {
      // The contract: a mutated ConfigMap, valid or not, parsed by both.
      const base =
        rnd() < 0.5
          ? { ...lastDesired }
          : statusData(Math.max(1, gen), pick(['Pending', 'Armed', 'Rejected', 'Completed']), owner, w);
      const keys = Object.keys(base);
      const m = int(5);
      if (m === 0) delete base[pick(keys)];
      else if (m === 1)
        base[pick(keys)] = pick([
          '',
          'x',
          '-1',
          '01',
          '99999999999999999',
          'blue',
          'tag',
          '2026-13-01T00:00:00Z',
          '1:blue>green@5',
        ]);
      else if (m === 2)
        base[pick(['extra', 'history', 'armedAt', 'to', 'watermark'])] = pick([
          '1',
          '1:blue>green@5;1:green>blue@6',
          '2026-12-01T11:59:00Z',
        ]);
      const isStatus = 'updatedAt' in base || 'phase' in base;
      const ok = isStatus ? parseCutoverStatus(base).ok : parseCutoverConfigMap(base).ok;
      steps.push({ do: 'parse', kind: isStatus ? 'status' : 'desired', data: base, ok });
      continue;
    }
    metrics();
  }
  return { name: `differential-${seed}`, color, steps };
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (isMain) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: tsx test/gate/differential-gen.ts <out.jsonl> [count=10000] [seed=1]\n');
    process.exit(2);
  }
  const count = Number(process.argv[3] ?? 10000);
  const seed = Number(process.argv[4] ?? 1);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(sequence(seed * 1_000_003 + i)));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, lines.join('\n') + '\n');
  process.stdout.write(`wrote ${count} sequences (seed ${seed}) to ${out}\n`);
}
