import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sequence } from './differential-gen.js';
import { loadVectors, runVector, VECTORS_DIR } from './vector-runner.js';
import type { Vector } from './vector-runner.js';

describe('differential sequences (the Java gate replays them)', () => {
  it('are deterministic per seed and agree with the reference gate that wrote them', () => {
    expect(JSON.stringify(sequence(7))).toBe(JSON.stringify(sequence(7)));
    expect(JSON.stringify(sequence(7))).not.toBe(JSON.stringify(sequence(8)));
    const kinds = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const v = sequence(i) as unknown as Vector;
      v.steps.forEach((s) => kinds.add(s.do === 'record' ? `record:${s.expect.split(':')[0]}` : s.do));
      expect(runVector(v), v.name).toEqual([]);
    }
    // The sequences exercise every kind of step and every record decision.
    for (const k of [
      'config',
      'status',
      'watermark',
      'snapshot',
      'checkpointComplete',
      'restore',
      'redistribute',
      'parse',
      'metrics',
      'record:emit',
      'record:drop',
      'record:hold',
      'record:tag',
    ])
      expect(kinds, k).toContain(k);
  });

  it('catch a gate that differs: a flipped decision is found', () => {
    const v = sequence(3) as unknown as Vector;
    const step = v.steps.find((s) => s.do === 'record' && s.expect === 'drop');
    expect(step).toBeDefined();
    if (step && step.do === 'record') step.expect = 'emit';
    expect(runVector(v).length).toBeGreaterThan(0);
  });
});

describe('FLINK_CUTOVER_VECTORS', () => {
  let dir: string | undefined;
  afterEach(() => {
    delete process.env.FLINK_CUTOVER_VECTORS;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds every vector of the named folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'vectors-'));
    copyFileSync(join(VECTORS_DIR, 'tag-mode.json'), join(dir, 'tag-mode.json'));
    writeFileSync(join(dir, 'notes.txt'), 'not a vector');
    const before = loadVectors().length;
    process.env.FLINK_CUTOVER_VECTORS = dir;
    const all = loadVectors();
    expect(all.length).toBe(before + 1);
    expect(all[all.length - 1]!.file).toBe(join(dir, 'tag-mode.json'));
    expect(runVector(all[all.length - 1]!.vector)).toEqual([]);
  });

  it('is an error when the folder does not exist', () => {
    process.env.FLINK_CUTOVER_VECTORS = '/nonexistent/vectors';
    expect(() => loadVectors()).toThrow(/FLINK_CUTOVER_VECTORS/);
  });
});
