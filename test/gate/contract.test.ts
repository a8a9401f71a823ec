import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderPipelines } from '../../lib/constructs/render.js';
import {
  ContractParseError,
  contractDiagnostics,
  parseCutoverConfigMap,
  parseCutoverConfigMapOrThrow,
  chainFor,
  chainOwner,
  parseCutoverStatus,
  parseCutoverStatusOrThrow,
  renderCutoverConfigMap,
  renderCutoverStatus,
} from '../../lib/gate/contract.js';
import { decide } from '../../lib/gate/decide.js';
import { packageRoot } from '../../lib/spec/paths.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';

const good = {
  pipeline: 'orders',
  active: 'blue',
  generation: '1',
  to: 'green',
  watermark: '1796126400000',
  lateness: '300000',
  gateMode: 'filter',
  'blue.restUrl': 'http://orders-blue-rest.streaming:8081',
  'blue.gate': 'true',
  'green.restUrl': 'http://orders-green-rest.streaming:8081',
  'green.gate': 'false',
};

function cutoverData(spec: unknown): Record<string, string> {
  const [r] = renderPipelines([{ spec }]);
  const cm = r!.manifests.find(
    (m) => m.kind === 'ConfigMap' && String((m.metadata as { name: string }).name).endsWith('-cutover'),
  );
  expect(cm, 'the rendered <name>-cutover ConfigMap').toBeDefined();
  return cm!.data as Record<string, string>;
}

describe('cutover ConfigMap contract', () => {
  it('parses the desired handover into typed values', () => {
    const r = parseCutoverConfigMap(good);
    expect(r).toEqual({
      ok: true,
      value: {
        pipeline: 'orders',
        active: 'blue',
        generation: 1,
        to: 'green',
        watermark: 1796126400000,
        lateness: 300000,
        gateMode: 'filter',
        colors: {
          blue: { restUrl: 'http://orders-blue-rest.streaming:8081', gate: true },
          green: { restUrl: 'http://orders-green-rest.streaming:8081', gate: false },
        },
      },
    });
    expect(renderCutoverConfigMap(parseCutoverConfigMapOrThrow(good))).toEqual(good);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ['a non-string value', { ...good, generation: 1 }, '/generation', /must be a string/],
    ['an unknown key', { ...good, weight: '3' }, '/weight', /unknown key "weight"/],
    ['to without a cutover', { ...good, generation: '0' }, '/to', /generation is "0".*"to" must be absent/],
    [
      'a cutover without W',
      (({ watermark: _w, ...rest }) => rest)(good),
      '/watermark',
      /missing key "watermark"/,
    ],
    ['a cutover to the active color', { ...good, to: 'blue' }, '/active', /active and to are both "blue"/],
    ['a bad color', { ...good, active: 'red' }, '/active', /must be one of "blue", "green"/],
    [
      'a watermark that is not a number',
      { ...good, watermark: '2026-12-01T12:00:00Z' },
      '/watermark',
      /not a decimal integer string/,
    ],
    [
      'a watermark beyond exact integers',
      { ...good, watermark: '9999999999999999' },
      '/watermark',
      /beyond the exact integer range/,
    ],
    [
      'a restUrl without its gate flag',
      (({ 'green.gate': _g, ...rest }) => rest)(good),
      '/green.gate',
      /"green.restUrl" needs "green.gate"/,
    ],
    [
      'no restUrl for the active color',
      (({ 'blue.restUrl': _u, 'blue.gate': _g, ...rest }) => rest)(good),
      '/blue.restUrl',
      /missing key "blue.restUrl"/,
    ],
    ['a bad gate mode', { ...good, gateMode: 'both' }, '/gateMode', /must be one of "filter", "tag"/],
    [
      'a gate flag that is not true/false',
      { ...good, 'blue.gate': 'yes' },
      '/blue.gate',
      /must be one of "true", "false"/,
    ],
    [
      'a restUrl that is not http(s)',
      { ...good, 'blue.restUrl': 'orders-blue-rest:8081' },
      '/blue.restUrl',
      /not/,
    ],
  ];
  for (const [what, data, key, message] of bad) {
    it(`rejects ${what} with the key and a clear message`, () => {
      const r = parseCutoverConfigMap(data);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const hit = r.errors.find((e) => e.key === key);
      expect(hit, JSON.stringify(r.errors)).toBeDefined();
      expect(hit!.message).toMatch(message);
    });
  }

  it('rejects data that is not a map, and throws a typed error from the OrThrow variant', () => {
    expect(parseCutoverConfigMap(['x'])).toEqual({
      ok: false,
      errors: [{ key: '', message: 'ConfigMap data must be a map of strings' }],
    });
    expect(() => parseCutoverConfigMapOrThrow({})).toThrow(ContractParseError);
    try {
      parseCutoverConfigMapOrThrow({ ...good, to: 'blue' });
    } catch (e) {
      expect((e as ContractParseError).errors[0]!.key).toBe('/active');
      expect(contractDiagnostics((e as ContractParseError).errors, 'cm.yaml')[0]).toMatchObject({
        ruleId: 'cutover-contract',
        file: 'cm.yaml',
        path: '/data/active',
      });
    }
  });

  it("accepts what the lead's construct renders, for steady, staged, cutover and gate-less specs", () => {
    const specs = [
      steadyPipeline(),
      stagedPipeline(),
      cutoverPipeline(),
      cutoverPipeline((p) => (p.spec.gate = { mode: 'tag', lateness: '90s' })),
      cutoverPipeline((p) => (p.spec.colors.blue.gate = false)),
    ];
    for (const spec of specs) {
      const data = cutoverData(spec);
      const r = parseCutoverConfigMap(data);
      expect(r, JSON.stringify(data)).toMatchObject({ ok: true });
      if (r.ok) expect(renderCutoverConfigMap(r.value)).toEqual(data);
    }
    const cut = parseCutoverConfigMapOrThrow(cutoverData(cutoverPipeline()));
    expect(cut).toMatchObject({
      generation: 1,
      to: 'green',
      watermark: Date.parse('2026-12-01T12:00:00Z'),
      lateness: 300000,
    });
  });

  it('accepts every cutover ConfigMap in the committed dist/ manifests', () => {
    const dist = join(packageRoot(), 'dist');
    let seen = 0;
    for (const f of readdirSync(dist).filter((x) => x.endsWith('.k8s.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dist, f), 'utf8'))) {
        const m = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: unknown } | null;
        if (m?.kind === 'ConfigMap' && m.metadata?.name?.endsWith('-cutover')) {
          expect(parseCutoverConfigMap(m.data), `${f} ${m.metadata.name}`).toMatchObject({ ok: true });
          seen++;
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('cutover status contract', () => {
  const status = {
    generation: '2',
    phase: 'Completed',
    active: 'green',
    to: 'blue',
    watermark: '1796126500000',
    history: '1:blue>green@1796126400000',
    reason: 'done',
    armedAt: '2026-12-01T12:00:00Z',
    completedAt: '2026-12-01T12:05:00Z',
    updatedAt: '2026-12-01T12:05:00Z',
    'blue.watermark': '1796126700000',
    'green.watermark': '-9223372036854775808',
  };

  it('parses and renders the status', () => {
    const s = parseCutoverStatusOrThrow({ ...status, 'green.watermark': '1796126700001' });
    expect(s).toEqual({
      generation: 2,
      phase: 'Completed',
      active: 'green',
      to: 'blue',
      watermark: 1796126500000,
      history: [{ generation: 1, active: 'blue', to: 'green', watermark: 1796126400000 }],
      reason: 'done',
      armedAt: '2026-12-01T12:00:00Z',
      completedAt: '2026-12-01T12:05:00Z',
      updatedAt: '2026-12-01T12:05:00Z',
      watermarks: { blue: 1796126700000, green: 1796126700001 },
    });
    expect(renderCutoverStatus(s)).toEqual({ ...status, 'green.watermark': '1796126700001' });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'an unknown phase',
      { ...status, phase: 'Done' },
      '/phase',
      /must be one of "Pending", "Armed", "Rejected", "Completed"/,
    ],
    ['a non-ISO time', { ...status, updatedAt: 'yesterday' }, '/updatedAt', /not a valid date-time/],
    [
      'Completed without completedAt',
      (({ completedAt: _c, ...rest }) => rest)(status),
      '/completedAt',
      /missing key "completedAt"/,
    ],
    [
      'Pending with armedAt',
      (({ completedAt: _c, ...rest }) => ({ ...rest, phase: 'Pending' }))(status),
      '/armedAt',
      /must be absent in phase "Pending"/,
    ],
    [
      'Long.MIN_VALUE as a watermark (beyond exact integers)',
      status,
      '/green.watermark',
      /beyond the exact integer range/,
    ],
    [
      'no generation',
      (({ generation: _g, ...rest }) => rest)(status),
      '/generation',
      /missing key "generation"/,
    ],
    [
      'generation 0 (no status without a cutover)',
      { ...status, generation: '0' },
      '/generation',
      /not a decimal integer string/,
    ],
    [
      'a status without the decided W',
      (({ watermark: _w, ...rest }) => rest)(status),
      '/watermark',
      /missing key "watermark"/,
    ],
    [
      'a status without its from-color',
      (({ active: _a, ...rest }) => rest)(status),
      '/active',
      /missing key "active"/,
    ],
    ['a status handing over to its own color', { ...status, to: 'green' }, '/to', /must be "blue" here/],
    [
      'a malformed history',
      { ...status, history: '1:blue-green@5' },
      '/history',
      /not a decimal integer string|pattern/,
    ],
    [
      'a history out of order',
      { ...status, history: '3:blue>green@5;1:green>blue@9' },
      '/history',
      /not newer than the one before it/,
    ],
  ];
  for (const [what, data, key, message] of bad) {
    it(`rejects ${what}`, () => {
      const r = parseCutoverStatus(data);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.errors.find((e) => e.key === key)?.message ?? JSON.stringify(r.errors)).toMatch(message);
    });
  }

  it('chains a rollback through the history: chainFor builds it, chainOwner reads it', () => {
    const completed1 = parseCutoverStatusOrThrow({
      ...status,
      generation: '1',
      active: 'blue',
      to: 'green',
      watermark: '1000',
      history: undefined,
      'green.watermark': '2000',
    });
    // Generation 2 hands the output back from green: t < 1000 stays blue's, [1000, W2) green's.
    const chain = chainFor(2, 'green', completed1);
    expect(chain).toEqual([{ generation: 1, active: 'blue', to: 'green', watermark: 1000 }]);
    expect([999, 1000, 5000].map((t) => chainOwner(chain, 'green', t))).toEqual(['blue', 'green', 'green']);
    // A Rejected generation moved nothing; a new cutover from the other color starts no chain.
    expect(chainFor(2, 'blue', { ...completed1, phase: 'Rejected' })).toEqual([]);
    expect(chainFor(2, 'blue', completed1)).toEqual([]);
    expect(
      chainFor(3, 'green', {
        ...completed1,
        generation: 2,
        phase: 'Rejected',
        active: 'green',
        to: 'blue',
        history: chain,
      }),
    ).toEqual(chain);
    expect(chainOwner([], 'green', 5)).toBe('green');
  });

  it('every status decide() writes validates against the schema', () => {
    const desired = parseCutoverConfigMapOrThrow({ ...good, 'green.gate': 'true' });
    const w = desired.watermark!;
    const obs = (max: number | null, wm: number | null, n = 2) => ({
      running: true,
      parallelism: n,
      subtasks: Array.from({ length: n }, (_, i) => ({
        subtask: i,
        preparedGeneration: 1,
        maxTimestampAtPrepare: max,
        gateWatermark: wm,
      })),
    });
    const steps = [
      decide(desired, null, { blue: obs(w - 10, w - 100) }, { now: '2026-12-01T11:00:00Z' }),
      decide(
        desired,
        null,
        { blue: obs(w - 10, w - 100), green: obs(null, null) },
        { now: '2026-12-01T11:00:01Z' },
      ),
      decide(desired, null, { blue: obs(w, w), green: obs(null, null) }, { now: '2026-12-01T11:00:02Z' }),
    ];
    const armed = steps[1]!.status!;
    steps.push(
      decide(
        desired,
        armed,
        { blue: obs(w - 10, w + 400000), green: obs(null, w + 300000) },
        { now: '2026-12-01T11:10:00Z' },
      ),
    );
    const withdrawn = parseCutoverConfigMapOrThrow(
      (({ to: _t, watermark: _w, ...rest }) => ({ ...rest, generation: '0' }))({
        ...good,
        'green.gate': 'true',
      }),
    );
    steps.push(decide(withdrawn, steps[0]!.status, {}, { now: '2026-12-01T11:20:00Z' }));
    expect(steps.map((d) => d.status?.phase)).toEqual([
      'Pending',
      'Armed',
      'Rejected',
      'Completed',
      'Rejected',
    ]);
    for (const d of steps) {
      const r = parseCutoverStatus(renderCutoverStatus(d.status!));
      expect(r, JSON.stringify(renderCutoverStatus(d.status!))).toMatchObject({ ok: true });
    }
  });
});
