import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/simulate/engine.js';
import { guaranteeHeld, runText } from '../../lib/simulate/report.js';
import { loadScenarioText } from '../../lib/simulate/scenario.js';
import { packageRoot } from '../../lib/spec/paths.js';

const dir = join(packageRoot(), 'apps', 'scenarios');

const minimal = `name: t
input:
  partitions: 2
  durationMs: 20000
colors:
  blue: {parallelism: 2}
  green: {parallelism: 1, startMs: 1000}
cutover: {commitAtMs: 5000, watermarkAtMs: 12000}
`;

describe('scenario files', () => {
  const expected: Record<string, string> = {
    'adopted-blue-at-least-once.yaml': 'Completed',
    'blue-to-green.yaml': 'Completed',
    'late-watermark-rejected.yaml': 'Rejected',
    'restart-while-holding.yaml': 'Completed',
    'withdrawn-before-armed.yaml': 'Rejected',
  };
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    it(`apps/scenarios/${f} loads and keeps its guarantee with the protocol`, () => {
      const l = loadScenarioText(f, readFileSync(join(dir, f), 'utf8'));
      expect(l.diagnostics).toEqual([]);
      const r = simulate(l.scenario!, { strategy: 'two-phase' });
      // Exactly once, or (a color without a gate) at least once with the duplicates it implies.
      expect({ duplicates: r.duplicates > 0, missing: r.missing, heldAtEnd: r.heldAtEnd }).toEqual({
        duplicates: r.atLeastOnce,
        missing: 0,
        heldAtEnd: 0,
      });
      expect(r.phase).toBe(expected[f]);
    });
  }

  it('restart-while-holding loses the held records when they are not checkpointed', () => {
    const l = loadScenarioText('x', readFileSync(join(dir, 'restart-while-holding.yaml'), 'utf8'));
    expect(simulate(l.scenario!, { strategy: 'two-phase-no-held-state' }).missing).toBeGreaterThan(0);
  });

  it('fills in defaults, and reads JSON as well as YAML', () => {
    const l = loadScenarioText('t.yaml', minimal);
    expect(l.diagnostics).toEqual([]);
    expect(l.scenario).toMatchObject({
      seed: 1,
      active: 'blue',
      checkpointIntervalMs: 1000,
      propagation: { minMs: 0, maxMs: 1000 },
      restarts: [],
      teardownDelayMs: null,
      cutover: { latenessMs: 0, gateMode: 'filter' },
    });
    expect(l.scenario!.input).toMatchObject({
      ratePerSecond: 10,
      outOfOrdernessMs: 0,
      lateByMaxMs: 0,
      idle: [],
    });
    const j = loadScenarioText(
      't.json',
      JSON.stringify(
        {
          input: { partitions: 2, durationMs: 20000 },
          colors: { blue: { parallelism: 1 }, green: { parallelism: 1, startMs: 10 } },
          cutover: { commitAtMs: 100, watermarkAtMs: 500 },
        },
        null,
        2,
      ),
    );
    expect(j.diagnostics).toEqual([]);
  });

  const bad: [string, string, number, RegExp][] = [
    [
      'an unknown field',
      minimal.replace('  durationMs: 20000', '  durationMs: 20000\n  rate: 5'),
      5,
      /unknown field "rate"/,
    ],
    [
      'a wrong type',
      minimal.replace('partitions: 2', 'partitions: two'),
      3,
      /partitions must be integer, not "two"/,
    ],
    [
      'a missing field',
      minimal.replace('cutover: {commitAtMs: 5000, watermarkAtMs: 12000}', 'cutover: {commitAtMs: 5000}'),
      8,
      /missing required field "watermarkAtMs"/,
    ],
    [
      'a bad enum',
      minimal.replace('name: t', 'name: t\nactive: red'),
      2,
      /active is "red"; must be one of "blue", "green"/,
    ],
    [
      'more subtasks than partitions',
      minimal.replace('blue: {parallelism: 2}', 'blue: {parallelism: 3}'),
      6,
      /blue parallelism 3 exceeds the 2 input partitions/,
    ],
    [
      'a standby starting after the commit',
      minimal.replace('startMs: 1000', 'startMs: 6000'),
      7,
      /green starts at 6000 ms, after the cutover is committed/,
    ],
    ['a YAML syntax error', minimal.replace('  blue: {parallelism: 2}', '  blue: {parallelism: 2'), 7, /./],
    [
      'a negative duration',
      minimal.replace('durationMs: 20000', 'durationMs: -5'),
      4,
      /durationMs must be >= 1000/,
    ],
    [
      'an input too large to simulate',
      minimal
        .replace('partitions: 2', 'partitions: 200\n  ratePerSecond: 10000')
        .replace('durationMs: 20000', 'durationMs: 3600000'),
      4,
      /the input would have about 7200000000 records \(partitions 200 x ratePerSecond 10000 x 3600 s\); the simulator takes at most 5000000/,
    ],
    [
      'a withdrawal before the commit',
      minimal.replace(
        'cutover: {commitAtMs: 5000, watermarkAtMs: 12000}',
        'cutover: {commitAtMs: 5000, watermarkAtMs: 12000, withdrawAtMs: 4000}',
      ),
      8,
      /the cutover is withdrawn at 4000 ms, not after it is committed \(5000 ms\)/,
    ],
    [
      'an input without records',
      minimal.replace('partitions: 2', 'partitions: 2\n  ratePerSecond: 0.01'),
      4,
      /the input would have no records \(partitions 2 x ratePerSecond 0.01 x 20 s\): nothing to audit/,
    ],
    [
      'an alias bomb',
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
      1,
      /^the scenario cannot be read: Excessive alias count/,
    ],
    [
      'an infinite number',
      minimal.replace('durationMs: 20000', 'durationMs: 1e400'),
      4,
      /^durationMs must be integer, not Infinity$/,
    ],
    [
      'a failure before the color starts',
      minimal + 'restarts: [{color: green, atMs: 500, downMs: 100}]\n',
      9,
      /green fails at 500 ms, before it starts \(1000 ms\): the failure would never happen/,
    ],
    [
      'a failure after the run',
      minimal + 'restarts: [{color: blue, atMs: 900000, downMs: 100}]\n',
      9,
      /blue fails at 900000 ms, after the run ends/,
    ],
  ];
  it('an active color without a gate (gate: false) makes the cutover at-least-once: duplicates until teardown, nothing missing', () => {
    const text =
      minimal.replace('blue: {parallelism: 2}', 'blue: {parallelism: 2, gate: false}') +
      'teardownDelayMs: 1000\n';
    const l = loadScenarioText('t.yaml', text);
    expect(l.diagnostics).toEqual([]);
    const r = simulate(l.scenario!, { strategy: 'two-phase', trace: true });
    expect(r).toMatchObject({
      atLeastOnce: true,
      missing: 0,
      phase: 'Completed',
      reason: expect.stringMatching(
        /^both watermarks reached W \+ lateness \(blue \d+ \(no gate: job watermark\), green \d+\)$/,
      ),
    });
    expect(r.duplicates).toBeGreaterThan(0);
    // Only records at or past W are duplicated: blue (no gate) and green (from W on) both emit them.
    expect(r.points.filter((p) => p.color === 'green').every((p) => p.t >= r.watermark)).toBe(true);
    expect(runText(r, 't')).toContain('verdict: AT-LEAST-ONCE (as expected: blue has no gate');
    expect(guaranteeHeld(r)).toBe(true);
    expect(simulate(loadScenarioText('t.yaml', minimal).scenario!, { strategy: 'two-phase' })).toMatchObject({
      atLeastOnce: false,
      duplicates: 0,
      missing: 0,
    });
  });

  it('a standby color without a gate is an error (it would duplicate the whole output)', () => {
    const l = loadScenarioText(
      'bad.yaml',
      minimal.replace(
        'green: {parallelism: 1, startMs: 1000}',
        'green: {parallelism: 1, startMs: 1000, gate: false}',
      ),
    );
    expect(l.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([
      '7: the standby color (green) has no gate: it would emit every record while blue does too',
    ]);
  });

  it('reports a value outside an "x or null" field once, with what it must be', () => {
    const l = loadScenarioText('bad.yaml', minimal + 'teardownDelayMs: -5\n');
    expect(l.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([
      '9: teardownDelayMs must be >= 0 (is -5)',
    ]);
  });

  for (const [what, text, line, message] of bad) {
    it(`reports ${what} with its line`, () => {
      const l = loadScenarioText('bad.yaml', text);
      expect(l.scenario).toBeUndefined();
      expect(l.diagnostics.length).toBeGreaterThan(0);
      const d = l.diagnostics[0]!;
      expect(d.file).toBe('bad.yaml');
      expect(d.line, JSON.stringify(l.diagnostics)).toBe(line);
      expect(d.message).toMatch(message);
    });
  }
});
