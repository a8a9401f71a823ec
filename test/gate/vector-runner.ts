/**
 * Runs a gate conformance vector against the reference gate (test/vectors/gate/*.json).
 * A Java (or any other) gate is tested the same way: feed it the same events, compare the same
 * decisions (see the README, "The handover").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseCutoverConfigMap,
  parseCutoverConfigMapOrThrow,
  parseCutoverStatus,
  parseCutoverStatusOrThrow,
} from '../../lib/gate/contract.js';
import { redistribute } from '../../lib/gate/redistribute.js';
import { Gate } from '../../lib/gate/gate.js';
import type { Trace } from '../../lib/gate/gate.js';
import type {
  GateDesired,
  GateMetrics,
  GateSnapshot,
  Released,
  RecordDecision,
} from '../../lib/gate/types.js';
import type { Color } from '../../lib/spec/types.js';

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors', 'gate');

export type VectorStep =
  | { do: 'config'; data: Record<string, string>; expectReleased: ReleasedExpect[] }
  | { do: 'status'; data: Record<string, string> | null; expectReleased: ReleasedExpect[] }
  | { do: 'record'; id: string; t: number; expect: string }
  | { do: 'watermark'; value: number }
  | { do: 'snapshot' | 'checkpointComplete' | 'restore'; name: string }
  | { do: 'metrics'; expect: GateMetrics }
  // Only in differential sequences (test/gate/differential-gen.ts):
  | { do: 'redistribute'; names: string[]; index: number; parallelism: number }
  | { do: 'parse'; kind: 'desired' | 'status'; data: Record<string, string>; ok: boolean };

export interface ReleasedExpect {
  id: string;
  action: string;
}

export interface Vector {
  name: string;
  description: string;
  color: Color;
  steps: VectorStep[];
}

export interface VectorMismatch {
  step: number;
  message: string;
}

/** The vectors of test/vectors/gate, plus every vector of the folder named by $FLINK_CUTOVER_VECTORS (vectors written elsewhere test this gate too). */
export function loadVectors(): { file: string; raw: unknown; vector: Vector; extra: boolean }[] {
  const read = (dir: string, extra: boolean) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'vector.schema.json')
      .sort()
      .map((f) => {
        const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
        return { file: extra ? join(dir, f) : f, raw, vector: raw as Vector, extra };
      });
  const extraDir = process.env.FLINK_CUTOVER_VECTORS;
  if (extraDir && !existsSync(extraDir)) throw new Error(`FLINK_CUTOVER_VECTORS=${extraDir} is not a folder`);
  return [...read(VECTORS_DIR, false), ...(extraDir ? read(extraDir, true) : [])];
}

function actionText(d: RecordDecision): string {
  return d.action === 'tag' ? `tag:${d.owner}` : d.action;
}

function releasedText(r: Released): ReleasedExpect {
  return { id: String(r.record.id), action: r.action === 'tag' ? `tag:${r.owner}` : r.action };
}

export function desiredOf(data: Record<string, string>): GateDesired {
  const d = parseCutoverConfigMapOrThrow(data);
  const g: GateDesired = {
    active: d.active,
    generation: d.generation,
    lateness: d.lateness,
    gateMode: d.gateMode,
  };
  if (d.to !== undefined) g.to = d.to;
  if (d.watermark !== undefined) g.watermark = d.watermark;
  return g;
}

/** Runs one vector; returns every mismatch (empty = pass). */
export function runVector(v: Vector, trace?: Trace): VectorMismatch[] {
  const opts = trace ? { trace } : {};
  let gate = new Gate(v.color, opts);
  const snaps = new Map<string, GateSnapshot>();
  const out: VectorMismatch[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  v.steps.forEach((s, i) => {
    const fail = (message: string): void =>
      void out.push({ step: i, message: `step ${i} (${s.do}): ${message}` });
    switch (s.do) {
      case 'config':
      case 'status': {
        const released =
          s.do === 'config'
            ? gate.onConfig(desiredOf(s.data))
            : gate.onStatus(
                s.data === null
                  ? null
                  : (({ generation, phase, active, to, watermark, history }) => ({
                      generation,
                      phase,
                      active,
                      to,
                      watermark,
                      history,
                    }))(parseCutoverStatusOrThrow(s.data)),
              );
        const got = released.map(releasedText);
        if (!same(got, s.expectReleased))
          fail(`released ${JSON.stringify(got)}, expected ${JSON.stringify(s.expectReleased)}`);
        break;
      }
      case 'record': {
        const got = actionText(gate.onRecord({ id: s.id, t: s.t }));
        if (got !== s.expect) fail(`record ${s.id} (t=${s.t}): ${got}, expected ${s.expect}`);
        break;
      }
      case 'watermark':
        gate.onWatermark(s.value);
        break;
      case 'snapshot':
        snaps.set(s.name, gate.snapshot());
        break;
      case 'checkpointComplete': {
        const snap = snaps.get(s.name);
        if (!snap) fail(`no snapshot named ${s.name}`);
        else gate.onCheckpointComplete(snap);
        break;
      }
      case 'restore': {
        const snap = snaps.get(s.name);
        if (!snap) fail(`no snapshot named ${s.name}`);
        else gate = Gate.restore(v.color, JSON.parse(JSON.stringify(snap)) as GateSnapshot, opts);
        break;
      }
      case 'redistribute': {
        const old = s.names.map((n) => snaps.get(n));
        if (old.some((x) => !x)) fail(`no snapshot among ${s.names.join(', ')}`);
        else
          gate = Gate.restore(
            v.color,
            JSON.parse(
              JSON.stringify(redistribute(old as GateSnapshot[], s.index, s.parallelism)),
            ) as GateSnapshot,
            opts,
          );
        break;
      }
      case 'parse': {
        const ok = s.kind === 'status' ? parseCutoverStatus(s.data).ok : parseCutoverConfigMap(s.data).ok;
        if (ok !== s.ok)
          fail(`${s.kind} data parsed ${ok ? 'ok' : 'with errors'}, expected ${s.ok ? 'ok' : 'errors'}`);
        break;
      }
      case 'metrics': {
        const got = gate.metrics();
        if (!same(got, s.expect))
          fail(`metrics ${JSON.stringify(got)}, expected ${JSON.stringify(s.expect)}`);
        break;
      }
    }
  });
  return out;
}
