import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../lib/policy/rules/index.js';
import { classify } from '../../lib/policy/transition.js';
import { parseStatusText, statusFor } from '../../lib/policy/status.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('rule registry', () => {
  it('has unique kebab-case ids, a severity, a summary and a doc paragraph for every rule', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.doc.length).toBeGreaterThan(150);
      expect(r.check ?? r.checkLoad).toBeTypeOf('function');
    }
  });
  it('includes every rule the issue asks for', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const id of [
      'schema',
      'one-step',
      'active-spec-changed',
      'cutover-target',
      'cutover-generation',
      'cutover-lead-time',
      'parallelism-change',
      'processing-time',
      'clock-dependent-config',
      'shared-consumer-group',
      'shared-transactional-id',
      'shared-state-paths',
      'non-replayable-source',
      'source-quota',
      'missing-initial-state',
      'teardown-before-complete',
      'gateless-cutover',
      'plaintext-secret',
      'pipeline-removed',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
  it('has a describe block with a failing and a passing case for every rule', () => {
    const text = readdirSync(here)
      .filter((f) => f.startsWith('rules-') && f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(here, f), 'utf8'))
      .join('\n');
    for (const r of RULES) {
      const start = text.indexOf(`describe('${r.id}'`);
      expect(start, `tests for ${r.id}`).toBeGreaterThanOrEqual(0);
      const block = text.slice(start, text.indexOf('\n});', start));
      expect(block, `${r.id} has a passing case`).toMatch(/it\('passes/);
      expect(block, `${r.id} has a failing case`).toMatch(/it\('(refuses|warns|reports)/);
    }
  });
});

describe('classify', () => {
  const rollback = () =>
    cutoverPipeline((p) => {
      p.spec.active = 'green';
      p.spec.cutover = { generation: 2, to: 'blue', watermark: '2026-12-02T00:00:00Z' };
    });
  const green = () =>
    steadyPipeline((p) => {
      p.spec.active = 'green';
      p.spec.colors = {
        green: { image: 'reg/orders:1.5.0', initialSavepointPath: 's3://b/chk/orders/blue/chk-4711' },
      };
    });
  it.each([
    ['stage', steadyPipeline(), stagedPipeline(), ['stage']],
    ['schedule', stagedPipeline(), cutoverPipeline(), ['schedule']],
    ['teardown', cutoverPipeline(), green(), ['teardown']],
    ['rollback', cutoverPipeline(), rollback(), ['rollback']],
    ['abandon', stagedPipeline(), steadyPipeline(), ['abandon']],
    ['unschedule', cutoverPipeline(), stagedPipeline(), ['unschedule']],
    ['stage+schedule', steadyPipeline(), cutoverPipeline(), ['stage', 'schedule']],
    ['no step', stagedPipeline(), stagedPipeline(), []],
  ])('%s', (_name, base, head, steps) => {
    const load = (o: unknown) => o as never;
    expect(classify(load(base), load(head)).steps).toEqual(steps);
  });
  it('marks an active switch without cutover illegal', () => {
    const t = classify(
      stagedPipeline() as never,
      stagedPipeline((p) => {
        p.spec.active = 'green';
      }) as never,
    );
    expect(t.illegal).toMatch(/without a cutover/);
  });
});

describe('status ConfigMaps', () => {
  const yaml = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: orders-cutover-status, namespace: streaming}
    data: {generation: "3", phase: Completed, completedAt: "2026-12-01T12:10:00Z", blue.watermark: "1764590000000"}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: orders-cutover}
    data: {generation: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: payments-cutover-status}
data: {generation: "1", phase: Armed}
`;
  it('reads Lists and multi-document YAML, matched by name and namespace', () => {
    const r = parseStatusText(yaml, 's.yaml');
    expect(r.problems).toEqual([]);
    expect(r.statuses.map((s) => s.name)).toEqual(['orders-cutover-status', 'payments-cutover-status']);
    const s = statusFor(r.statuses, steadyPipeline() as never)!;
    expect(s.generation).toBe(3);
    expect(s.phase).toBe('Completed');
    expect(s.completedAt).toBe(Date.parse('2026-12-01T12:10:00Z'));
    expect(s.watermarks).toEqual({ blue: 1764590000000 });
    expect(
      statusFor(
        r.statuses,
        steadyPipeline((p) => {
          p.metadata.namespace = 'other';
        }) as never,
      ),
    ).toBeUndefined();
  });
  it('reports an unknown phase and a file without status', () => {
    expect(
      parseStatusText(
        '{"kind":"ConfigMap","metadata":{"name":"x-cutover-status"},"data":{"phase":"Done"}}',
        's.json',
      ).problems[0]!.message,
    ).toMatch(/phase "Done"/);
    expect(parseStatusText('kind: Secret\n', 's.yaml').problems[0]!.message).toMatch(/no ConfigMap/);
  });
});
