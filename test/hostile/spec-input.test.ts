import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { steadyPipeline, tempDir } from '../support/pipelines.js';
import {
  count,
  expectNoCrash,
  expectRefusal,
  expectUnchanged,
  reportCounts,
  runCase,
  snapshot,
} from './harness.js';

afterAll(() => reportCounts('spec input'));

const HOLE = '__HOSTILE_VALUE__';

/** The steady spec with `path` set to a raw YAML snippet (written as is, not quoted). */
function specWith(path: string[], raw: string): string {
  const p = steadyPipeline();
  let at: Record<string, unknown> = p;
  for (const seg of path.slice(0, -1)) at = (at[seg] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]!] = HOLE;
  return stringify(p).replace(HOLE, raw);
}

/** A project folder with the spec in p/ and what synth renders of the base spec in dist/. */
async function project(text: string): Promise<string> {
  const dir = tempDir({ 'p/orders.yaml': stringify(steadyPipeline()), 'package.json': '{"name":"x"}' });
  mkdirSync(join(dir, 'dist'));
  const r = await runCase(['synth', '--pipelines', 'p', '--out', 'dist'], { cwd: dir });
  expect(r.code).toBe(0);
  cpSync(join(dir, 'p/orders.yaml'), join(dir, 'base.yaml'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'p/orders.yaml'), text);
  return dir;
}

/** check, synth and stage on one hostile spec: no crash, no hang; a refusal changes nothing. */
async function tryAll(
  cls: string,
  text: string,
): Promise<{ check: number; synth: number; stage: number; stderr: string }> {
  const dir = await project(text);
  const watched = [join(dir, 'p'), join(dir, 'dist')];
  const codes: number[] = [];
  let stderr = '';
  for (const argv of [
    ['check', '--head', 'p'],
    ['synth', '--pipelines', 'p', '--out', 'dist'],
    [
      'stage',
      'orders',
      '--pipelines',
      'p',
      '--image',
      'reg/orders:9',
      '--from-savepoint',
      's3://b/sp/1',
      '--now',
      '2026-12-01T00:00:00Z',
    ],
  ]) {
    const before = watched.map(snapshot);
    const r = await runCase(argv, { cwd: dir });
    count(cls);
    expectNoCrash(r);
    if (r.code !== 0) {
      expectUnchanged(before, watched);
      // A refusal of a spec names the file (with its line when the problem has one).
      if (!/no pipeline named/.test(r.stderr)) expect(`${r.stdout}${r.stderr}`).toMatch(/orders\.yaml/);
    }
    codes.push(r.code);
    stderr += r.stderr + r.stdout;
  }
  return { check: codes[0]!, synth: codes[1]!, stage: codes[2]!, stderr };
}

const HOSTILE_VALUES = [
  '99999999999999999999d',
  '"100000000d"',
  '1e300',
  '9007199254740993',
  '-9007199254740993',
  '.inf',
  '-.inf',
  '.nan',
  '"2027-02-30T00:00:00Z"',
  '"2026-13-01T00:00:00Z"',
  '"2026-12-01T25:00:00Z"',
  '"9999999-01-01T00:00:00Z"',
  'null',
  '[]',
  '{}',
  '"__proto__"',
  '{__proto__: {polluted: 1}}',
  '{constructor: {prototype: {x: 1}}}',
  '&a [*a]',
  '"\\u0000"',
  '"' + 'x'.repeat(5000) + '"',
  '{"flink-cutover.dev/color": blue}',
  '{"argocd.argoproj.io/hook": PreSync}',
  '{"-bad-": x}',
  '{"a/b/c": x}',
  '{"UPPER.example.com/x": y}',
  '"http://user:secret@evil.example/x?token=abc"',
  '"https://a.example/x?X-Amz-Signature=abc"',
];
const PATHS: string[][] = [
  ['spec', 'gate', 'lateness'],
  ['spec', 'cutover'],
  ['spec', 'template', 'job', 'parallelism'],
  ['spec', 'policy', 'minLeadTime'],
  ['spec', 'validation', 'minRunning'],
  ['metadata', 'labels'],
  ['metadata', 'annotations'],
  ['metadata', 'labels', 'team'],
  ['spec', 'template', 'flinkConfiguration', 'taskmanager.numberOfTaskSlots'],
  ['spec', 'template', 'flinkConfiguration', '__proto__'],
  ['spec', 'template', 'restartNonce'],
  ['spec', 'colors', 'blue', 'image'],
  ['spec', 'template', 'podTemplate'],
  ['spec', 'active'],
  ['spec', 'validation', 'http'],
  ['spec', 'sources', '0', 'properties'],
];

describe('hostile specs: generated values at generated places', () => {
  it('never crash, hang or half-write (check, synth, stage)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.constantFrom(...HOSTILE_VALUES), async (path, raw) => {
        await tryAll('spec: hostile value at a path', specWith(path, raw));
      }),
      { numRuns: 60, seed: 15 },
    );
  });

  it('never crash on generated structure: nesting, aliases, duplicate keys, separators, junk', async () => {
    const structure = fc.oneof(
      fc
        .integer({ min: 1, max: 12_000 })
        .map((n) => specWith(['spec', 'template', 'podTemplate'], '['.repeat(n) + ']'.repeat(n))),
      fc
        .integer({ min: 1, max: 3_000 })
        .map((n) => specWith(['spec', 'template', 'podTemplate'], '{a: '.repeat(n) + '1' + '}'.repeat(n))),
      fc.integer({ min: 2, max: 12 }).map((n) => {
        let y = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
        for (let i = 1; i < n; i++)
          y += `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]\n`;
        return `${y}${stringify(steadyPipeline())}`;
      }),
      fc.nat(20).map((n) => stringify(steadyPipeline()) + '---\n'.repeat(n)),
      fc.constantFrom('spec', 'metadata', 'kind').map((k) => `${k}: 1\n` + stringify(steadyPipeline())),
      fc.string({ maxLength: 200 }).map((junk) => stringify(steadyPipeline()) + junk),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(structure, async (text) => {
        await tryAll('spec: generated structure', text);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});

describe("hostile specs: the issue's examples", () => {
  it.each([
    [
      'a lateness beyond 100 years',
      ['spec', 'gate', 'lateness'],
      '99999999999999999999d',
      /lateness|longest duration/,
    ],
    [
      'a generation of 1e300',
      ['spec', 'cutover'],
      '{generation: 1e300, to: green, watermark: "2026-12-01T12:00:00Z"}',
      /does not fit/,
    ],
    ['an integer above 2^53', ['spec', 'template', 'job', 'parallelism'], '9007199254740993', /does not fit/],
    ["the tool's own label", ['metadata', 'labels'], '{"flink-cutover.dev/color": green}', /reserved/],
    [
      'an Argo CD hook annotation',
      ['metadata', 'annotations'],
      '{"argocd.argoproj.io/hook": PreSync}',
      /reserved/,
    ],
    ['a label key Kubernetes refuses', ['metadata', 'labels'], '{"-bad": x}', /not valid in Kubernetes/],
    ['a label value Kubernetes refuses', ['metadata', 'labels'], `{team: "${'x'.repeat(64)}"}`, /at most 63/],
    [
      'an impossible watermark date',
      ['spec', 'cutover'],
      '{generation: 1, to: green, watermark: "2027-02-30T00:00:00Z"}',
      /watermark/,
    ],
    [
      'a credential in a validation URL',
      ['spec', 'validation', 'http'],
      '[{name: h, url: "http://u:p4ss@h.example/health"}]',
      /validation Job's args/,
    ],
  ])('refuses %s with file:line, exit 1, nothing written', async (_name, path, raw, message) => {
    const r = await tryAll('spec: issue example', specWith(path as string[], raw as string));
    expect(r.check).toBe(1);
    expect(r.synth).toBe(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).toMatch(/orders\.yaml:[1-9]\d*:\d+/);
  });

  it('skips a trailing --- (an empty document)', async () => {
    const r = await tryAll('spec: issue example', stringify(steadyPipeline()) + '---\n');
    expect(r).toMatchObject({ check: 0, synth: 0, stage: 0 });
  });

  it('reads 10k-deep nesting as a diagnostic of the file, not a crash', async () => {
    const r = await tryAll(
      'spec: issue example',
      specWith(['spec', 'template', 'podTemplate'], '['.repeat(10_000) + ']'.repeat(10_000)),
    );
    expect(r.check).toBe(1);
  });

  it('checks 10k Flink configuration keys (linear duplicate-key check), and reports a duplicate with its line', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}.key: v`).join(', ');
    expect(
      (await tryAll('spec: issue example', specWith(['spec', 'template', 'flinkConfiguration'], `{${keys}}`)))
        .check,
    ).toBe(0);
    const dup = stringify(steadyPipeline()).replace('  gate:\n', '  gate:\n    mode: filter\n');
    const r = await tryAll('spec: issue example', dup);
    expect(r.check).toBe(1);
    expect(r.stderr).toMatch(/orders\.yaml:\d+:\d+: error \[schema\].*Map keys must be unique/);
  });

  it('stages a flinkConfiguration.__proto__ override as a key, and refuses __proto__.x', async () => {
    const dir = await project(stringify(steadyPipeline()));
    const stage = (set: string) =>
      runCase(
        [
          'stage',
          'orders',
          '--pipelines',
          'p',
          '--image',
          'reg/orders:9',
          '--from-savepoint',
          's3://b/sp/1',
          '--set',
          set,
          '--dry-run',
        ],
        { cwd: dir },
      );
    const ok = await stage('flinkConfiguration.__proto__=x');
    count('spec: issue example');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('flinkConfiguration.__proto__="x"');
    const before = snapshot(join(dir, 'p'));
    const bad = await stage('__proto__.polluted=1');
    count('spec: issue example');
    expectRefusal(bad, { codes: [2], mention: '"__proto__" is not a field' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(snapshot(join(dir, 'p'))).toEqual(before);
  });
});
