import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fmtMs, fmtOffset } from '../../lib/simulate/engine.js';
import { packageRoot } from '../../lib/spec/paths.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/pipelines.js';

const root = packageRoot();

describe('flink-cutover simulate', () => {
  it('replays a scenario: a readable timeline, counts, verdict, and an SVG timeline', async () => {
    const dir = tempDir();
    const r = await runCli(
      ['simulate', '--scenario', join(root, 'apps/scenarios/blue-to-green.yaml'), '--svg', 'handover.svg'],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const text of [
      'strategy two-phase',
      'cutover committed: generation 1, blue -> green at W',
      'prepared for generation 1',
      'controller: Armed',
      'controller: Completed',
      'blue   job failed',
      'verdict: EXACT',
      'SVG timeline written to handover.svg',
    ]) {
      expect(r.stdout).toContain(text);
    }
    const svg = readFileSync(join(dir, 'handover.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of [
      '>W<',
      '>Armed<',
      '>Completed<',
      '>cutover committed<',
      '>blue fails<',
      'stroke="#1f6fd1"',
      'stroke="#1e9e4a"',
    ])
      expect(svg).toContain(label);
    // Every opened element is closed (well-formed enough for a browser).
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it('prints times for people: ISO-8601 UTC instants and human durations, never epoch millis', async () => {
    const file = join(root, 'apps/scenarios/blue-to-green.yaml');
    const r = await runCli(['simulate', '--scenario', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\d{10,}/);
    expect(r.stdout).toContain('event time 0s is 2026-12-01T12:00:00Z, W is 2026-12-01T12:00:22Z');
    expect(r.stdout).toContain(
      'reach W + lateness = 2026-12-01T12:00:25Z (now: blue 2026-12-01T12:00:09.641Z (15s short)',
    );
    expect(r.stdout).toMatch(
      /phase {16}Completed: both gate watermarks reached W \+ lateness \(blue 2026-12-01T12:00:\d\d\.\d{3}Z/,
    );
    // JSON stays machine-readable: numbers, and decide()'s reason verbatim.
    const j = JSON.parse((await runCli(['simulate', '--scenario', file, '--format', 'json'])).stdout) as {
      maxOutputStallMs: unknown;
      reason: string;
    };
    expect(typeof j.maxOutputStallMs).toBe('number');
    expect(j.reason).toMatch(/\(blue \d{13}, green \d{13}\)/);
  });

  it('fmtMs: hundredths below a minute, minutes and whole seconds above', () => {
    expect(fmtMs(10_150)).toBe('10.15s');
    expect(fmtMs(4000)).toBe('4s');
    expect(fmtMs(90_250)).toBe('1m30s');
    expect(fmtMs(-125_000)).toBe('-2m5s');
    expect(fmtOffset(-13_200)).toBe('-13.20s');
  });

  it('--runs --format json prints the sweep summary', async () => {
    const r = await runCli(['simulate', '--runs', '40', '--seed', '3', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['runs', 'duplicates', 'missing', 'maxOutputStallMs', 'phases']),
    );
    expect(j).toMatchObject({ runs: 40, duplicates: 0, missing: 0, strategy: 'two-phase', seed: 3 });
    expect(Object.values(j.phases as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('exits 1 and lists replayable runs when a strategy is not exact', async () => {
    const r = await runCli(['simulate', '--runs', '60', '--strategy', 'watermark-gate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('verdict: NOT EXACT');
    expect(r.stdout).toMatch(/\n {2}runs with violations \d+ of 60\n/);
    const replay = /flink-cutover simulate --seed 1 --run (\d+) --strategy watermark-gate/.exec(r.stdout);
    expect(replay).not.toBeNull();
    const text = await runCli([
      'simulate',
      '--seed',
      '1',
      '--run',
      replay![1]!,
      '--strategy',
      'watermark-gate',
    ]);
    expect(text.stdout).toMatch(
      /\n {2}(missing {14}[1-9]\d* \(event time W[-+]|duplicates {11}[1-9]\d* \(event time W[-+])/,
    );
    const one = await runCli([
      'simulate',
      '--seed',
      '1',
      '--run',
      replay![1]!,
      '--strategy',
      'watermark-gate',
      '--format',
      'json',
    ]);
    expect(one.code).toBe(1);
    const j = JSON.parse(one.stdout) as { duplicates: number; missing: number };
    expect(j.duplicates + j.missing).toBeGreaterThan(0);
  });

  it('reports a malformed scenario with file:line and exit 2, without a stack trace', async () => {
    const dir = tempDir({
      'bad.yaml':
        'input:\n  partitions: 2\n  durationMs: 20000\ncolors:\n  blue: {parallelism: 1}\n  green: {parallelism: 1, startMs: 10}\ncutover: {commitAtMs: 100, watermarkAtMs: 500, gateMode: both}\n',
    });
    const r = await runCli(['simulate', '--scenario', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^bad\.yaml:7:\d+: error \[scenario\] at \/cutover\/gateMode: gateMode is "both"; must be one of "filter", "tag"/,
    );
    expect(r.stderr).toContain('malformed scenario');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const syntax = tempDir({ 's.json': '{"input": {"partitions": 2,\n  "durationMs": }' });
    const s = await runCli(['simulate', '--scenario', 's.json'], { cwd: syntax });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^s\.json:2:\d+: error \[scenario-syntax\]/);
  });

  const usage: [string, string[], RegExp][] = [
    ['a missing scenario file', ['--scenario', 'nope.yaml'], /--scenario nope.yaml: no such file/],
    ['a directory as scenario', ['--scenario', '.'], /--scenario \.: not a file/],
    [
      'an unknown strategy',
      ['--strategy', 'yolo'],
      /--strategy yolo: must be one of two-phase, watermark-gate/,
    ],
    ['a bad --runs', ['--runs', 'many'], /--runs "many": expected an integer/],
    ['--runs 0', ['--runs', '0'], /nothing to simulate/],
    ['--scenario with --runs', ['--scenario', 'x.yaml', '--runs', '3'], /cannot be combined/],
    [
      '--scenario with --seed',
      ['--scenario', 'x.yaml', '--seed', '3'],
      /--seed does not apply to --scenario: the scenario file has its own seed/,
    ],
    ['a bad --format', ['--format', 'xml'], /argument 'xml' is invalid/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, async () => {
      const r = await runCli(['simulate', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('--help documents every option', async () => {
    const r = await runCli(['simulate', '--help']);
    expect(r.code).toBe(0);
    for (const o of [
      '--scenario <file>',
      '--seed <n>',
      '--runs <n>',
      '--run <i>',
      '--strategy <name>',
      '--format <format>',
      '--svg <file>',
      'Exit codes',
    ])
      expect(r.stdout).toContain(o);
    expect(existsSync(join(root, 'apps/scenarios'))).toBe(true);
  });
});
