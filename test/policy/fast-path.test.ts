/**
 * `check` reads unchanged and plain specs with the fast reader and builds positions only where a
 * finding needs a line. Its findings must be exactly those of reading every spec with positions:
 * checked here on a generated set with findings of every kind (per pipeline and across
 * pipelines, at head and at base, in files the fast reader declines too).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicy } from '../../lib/policy/engine.js';
import { formatJson, formatText } from '../../lib/policy/format.js';
import { loadSides } from '../../lib/policy/inputs.js';
import { RULES } from '../../lib/policy/rules/index.js';
import type { Rule } from '../../lib/policy/types.js';
import type { CutoverStatus } from '../../lib/policy/status.js';
import { corpusRepo } from '../../bench/support/corpus.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const { root, pipelines } = corpusRepo(60, 'fc-fast-path-');
const baseCopy = mkdtempSync(join(tmpdir(), 'fc-fast-path-base-'));
cpSync(pipelines, baseCopy, { recursive: true });
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(baseCopy, { recursive: true, force: true });
});

const edit = (file: string, f: (t: string) => string) =>
  writeFileSync(join(pipelines, file), f(readFileSync(join(pipelines, file), 'utf8')));

// Per pipeline: the active color's image changes (orders-4), a bad duration (payments-5), a secret
// in the configuration (clickstream-3), a cutover target that does not exist (clickstream-6).
edit('orders-4.yaml', (t) => t.replace(/orders-4:1\.4\.2|orders:1\.4\.2/, 'orders:9.9.9'));
edit('payments-5.yaml', (t) => t.replace('lateness: 2m', 'lateness: soon'));
edit('clickstream-3.yaml', (t) =>
  t.replace(
    'state.backend.type: rocksdb',
    'state.backend.type: rocksdb\n      s3.secret-key: hunter2hunter2',
  ),
);
edit('clickstream-6.yaml', (t) => t.replace('to: blue', 'to: purple'));
// Both colors share a literal consumer group (payments-11) and a state path (payments-2, -8).
edit('payments-11.yaml', (t) => t.replace(/consumerGroup: .*/, 'consumerGroup: shared-group'));
edit('payments-2.yaml', (t) => t.replace(/checkpoints\.dir: .*/, 'checkpoints.dir: s3://shared/chk'));
edit('payments-8.yaml', (t) => t.replace(/checkpoints\.dir: .*/, 'checkpoints.dir: s3://shared/chk'));
// A file the fast reader declines (an anchor), with a finding; a removed and a new pipeline.
edit('orders-13.yaml', (t) => t.replace('parallelism: 8', 'parallelism: &p 9'));
rmSync(join(pipelines, 'orders-16.yaml'));
writeFileSync(
  join(pipelines, 'zz-new.yaml'),
  readFileSync(join(pipelines, 'orders-19.yaml'), 'utf8').replace('name: orders-19', 'name: zz-new'),
);
// Invalid YAML at head.
writeFileSync(join(pipelines, 'broken.yaml'), 'apiVersion: [\n');

/** The rules without the skip of unchanged pipelines (every rule judges every pair). */
const EVERY_PAIR: Rule[] = RULES.map((r) => ({ ...r, transitionOnly: undefined }));

function findings(
  opts: { base?: string; baseRef?: string },
  fast: boolean,
  extra: { rules?: readonly Rule[]; statuses?: CutoverStatus[]; allowUnknownStatus?: boolean } = {},
) {
  const sides = loadSides(root, { head: 'apps/pipelines', ...opts, fast });
  const r = checkPolicy({ head: sides.head, base: sides.base ?? sides.head, now: NOW, ...extra });
  return { results: r.results, summary: r.summary, text: formatText(r), json: formatJson(r) };
}

describe('check: the fast path finds exactly what the positioned path finds', () => {
  for (const [what, opts] of [
    ['--base-ref', { baseRef: 'HEAD' }],
    ['--base DIR', { base: baseCopy }],
    ['no base', {}],
  ] as const) {
    it(`${what}: same findings, lines included`, () => {
      const fast = findings(opts, true);
      const full = findings(opts, false);
      expect(fast.results.length).toBeGreaterThan(4);
      const rules = new Set(fast.results.map((f) => f.ruleId));
      if (what !== 'no base') expect(rules).toContain('active-spec-changed');
      for (const id of [
        'schema',
        'plaintext-secret',
        'cutover-target',
        'shared-consumer-group',
        'shared-state-paths',
      ])
        expect(rules).toContain(id);
      expect(fast.results.every((f) => f.line > 0 || f.ruleId === 'pipeline-removed')).toBe(true);
      expect(fast.results).toStrictEqual(full.results);
      expect(fast.summary).toStrictEqual(full.summary);
      expect(fast.text).toBe(full.text);
      expect(fast.json).toBe(full.json);
    });
  }
});

describe('check: skipping the step rules for unchanged pipelines changes no finding', () => {
  const statusesOf = (phase: CutoverStatus['phase']): CutoverStatus[] =>
    [...Array(60).keys()].map((i) => ({
      name: `${['clickstream', 'orders', 'payments'][i % 3]}-${i}-cutover-status`,
      generation: 1,
      phase,
      completedAt: NOW - 3_600_000,
      watermarks: {},
    }));
  for (const [what, opts] of [
    ['--base-ref', { baseRef: 'HEAD' }],
    ['--base DIR', { base: baseCopy }],
    ['no base', {}],
  ] as const) {
    for (const extra of [
      {},
      { allowUnknownStatus: true },
      { statuses: statusesOf('Armed') },
      { statuses: statusesOf('Completed') },
    ]) {
      it(`${what}, ${JSON.stringify(Object.keys(extra))}: the same findings as every rule on every pair`, () => {
        for (const fast of [true, false]) {
          const skipped = findings(opts, fast, extra);
          const every = findings(opts, fast, { ...extra, rules: EVERY_PAIR });
          expect(skipped.results).toStrictEqual(every.results);
          expect(skipped.text).toBe(every.text);
        }
      });
    }
  }

  it('the rules that skip unchanged pipelines are the step rules', () => {
    expect(RULES.filter((r) => r.transitionOnly).map((r) => r.id)).toStrictEqual([
      'one-step',
      'lifecycle-transition',
      'active-spec-changed',
      'cutover-target',
      'cutover-generation',
      'cutover-lead-time',
      'gate-changed-during-cutover',
      'missing-initial-state',
      'teardown-before-complete',
      'rollback-before-armed',
      'pipeline-removed',
    ]);
  });
});
