import { describe, expect, it } from 'vitest';
import { createAjv } from '../../lib/spec/schema.js';
import { GATE_BRANCHES } from '../../lib/gate/gate.js';
import type { GateBranch, VariantBranch } from '../../lib/gate/gate.js';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadVectors, runVector, VECTORS_DIR } from './vector-runner.js';
import type { Vector } from './vector-runner.js';

const vectors = loadVectors();
const validate = createAjv().compile(
  JSON.parse(readFileSync(join(VECTORS_DIR, 'vector.schema.json'), 'utf8')) as object,
);

describe('gate conformance vectors', () => {
  it('exist', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(10);
  });

  for (const { file, raw, vector, extra } of vectors) {
    it(`${file} is a valid vector named after its file`, () => {
      expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
      expect(`${vector.name}.json`).toBe(basename(file));
      if (!extra) expect(file).toBe(basename(file));
    });
    it(`${file}: the reference gate makes every expected decision`, () => {
      expect(runVector(vector)).toEqual([]);
    });
  }

  it('fire every branch of the gate state machine (and no variant-only branch)', () => {
    const fired = new Set<GateBranch | VariantBranch>();
    for (const { vector } of vectors) runVector(vector, (b) => void fired.add(b));
    const missing = GATE_BRANCHES.filter((b) => !fired.has(b));
    expect(missing, `branches no vector reaches: ${missing.join(', ')}`).toEqual([]);
    expect([...fired].filter((b) => b.startsWith('variant.'))).toEqual([]);
    expect(new Set(fired)).toEqual(new Set(GATE_BRANCHES));
  });

  it('catch a wrong gate: each vector fails when its expectations are flipped', () => {
    const flip: Record<string, string> = {
      emit: 'drop',
      drop: 'emit',
      hold: 'emit',
      wait: 'emit',
      'tag:blue': 'tag:green',
      'tag:green': 'tag:blue',
    };
    for (const { vector } of vectors) {
      const broken = JSON.parse(JSON.stringify(vector)) as Vector;
      const step = broken.steps.find((s) => s.do === 'record');
      if (!step || step.do !== 'record') continue;
      step.expect = flip[step.expect]!;
      expect(runVector(broken).length, vector.name).toBeGreaterThan(0);
    }
  });
});
