import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/simulate/engine.js';
import type { RunResult } from '../../lib/simulate/engine.js';
import { loadScenarioText } from '../../lib/simulate/scenario.js';
import type { Scenario } from '../../lib/simulate/scenario.js';
import type { Strategy } from '../../lib/simulate/strategies.js';
import { runSvg } from '../../lib/simulate/svg.js';

/** Many moments close together: eight failures and restores within a second of the commit, W just after. */
const BUSY = `
name: busy
seed: 7
input: {partitions: 6, ratePerSecond: 12, durationMs: 20000, outOfOrdernessMs: 1500}
colors:
  blue: {parallelism: 3, lagMs: 800}
  green: {parallelism: 2, startMs: 1000, lagMs: 1200}
checkpointIntervalMs: 1000
pollIntervalMs: 500
propagation: {minMs: 100, maxMs: 900}
cutover: {commitAtMs: 4000, watermarkAtMs: 4500, latenessMs: 300}
restarts:
${[4100, 4200, 4400, 4500, 4700, 4800, 5000, 5100]
  .map((at, i) => `  - {color: ${i % 2 === 0 ? 'blue' : 'green'}, atMs: ${at}, downMs: 100}`)
  .join('\n')}
`;

function scenario(): Scenario {
  const loaded = loadScenarioText('busy.yaml', BUSY);
  expect(loaded.diagnostics).toEqual([]);
  return loaded.scenario!;
}

function run(strategy: Strategy): { r: RunResult; svg: string } {
  const s = scenario();
  const r = simulate(s, { strategy, trace: true });
  return { r, svg: runSvg(r, `busy (${strategy})`, s.cutover.latenessMs) };
}

interface Box {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Every <text>'s box, estimated: width = characters x font size x 0.6, height = the font size. */
function textBoxes(svg: string): Box[] {
  const base = Number(/<svg [^>]*font-size="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
  const boxes: Box[] = [];
  for (const m of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = Object.fromEntries([...m[1]!.matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const text = m[2]!
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    const size = attrs['font-size'] ? Number(attrs['font-size']) : base;
    const w = text.length * size * 0.6;
    const x = Number(attrs.x);
    const y = Number(attrs.y);
    const anchor = attrs['text-anchor'] ?? 'start';
    const x0 = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
    let box: Box = { text, x0, x1: x0 + w, y0: y - size * 0.8, y1: y + size * 0.2 };
    const rot = /rotate\(-90 ([\d.]+) ([\d.]+)\)/.exec(attrs.transform ?? '');
    if (rot) {
      // Turned a quarter left about (cx, cy): x offsets become upward y offsets, and y offsets x.
      const [cx, cy] = [Number(rot[1]), Number(rot[2])];
      box = {
        text,
        x0: cx + (box.y0 - cy),
        x1: cx + (box.y1 - cy),
        y0: cy - (box.x1 - cx),
        y1: cy - (box.x0 - cx),
      };
    }
    boxes.push(box);
  }
  return boxes;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

function collisions(svg: string): string[] {
  const boxes = textBoxes(svg);
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlaps(boxes[i]!, boxes[j]!)) out.push(`"${boxes[i]!.text}" / "${boxes[j]!.text}"`);
  return out;
}

describe('the simulator SVG', () => {
  it('no label sits on another, with many moments close together', () => {
    for (const strategy of ['two-phase', 'watermark-gate'] as const) {
      const { r, svg } = run(strategy);
      const moments = r.timeline.filter((e) => ['restart', 'restore', 'status', 'commit'].includes(e.kind));
      expect(moments.length).toBeGreaterThanOrEqual(17);
      const boxes = textBoxes(svg);
      for (const label of ['blue fails', 'green restored', 'cutover committed', 'W', 'W + lateness'])
        expect(boxes.map((b) => b.text)).toContain(label);
      expect(collisions(svg), strategy).toEqual([]);
    }
  });

  it('the overlap check itself finds labels drawn at one place', () => {
    const svg =
      '<svg font-size="12"><text x="10" y="20">blue fails</text><text x="40" y="24">green restored</text></svg>';
    expect(collisions(svg)).toHaveLength(1);
  });

  it('marks every missing and duplicated record at its arrival and event time, in its own shape and color', () => {
    const { r, svg } = run('watermark-gate');
    expect(r.missing).toBeGreaterThan(0);
    expect(r.duplicates).toBeGreaterThan(0);
    const missingPath = /<path class="missing" d="([^"]*)" stroke="([^"]*)"/.exec(svg);
    const duplicatePath = /<path class="duplicate" d="([^"]*)" fill="([^"]*)" stroke="([^"]*)"/.exec(svg);
    expect(missingPath).not.toBeNull();
    expect(duplicatePath).not.toBeNull();
    expect(missingPath![2]).not.toBe(duplicatePath![2]);
    const missing = r.anomalies.filter((a) => a.kind === 'missing');
    const duplicated = r.anomalies.filter((a) => a.kind === 'duplicate');
    expect(missing).toHaveLength(r.missing);
    expect(duplicated.length).toBeGreaterThan(0);
    // A cross is two strokes (two M commands), a diamond one closed path.
    expect(missingPath![1].match(/M/g)).toHaveLength(2 * missing.length);
    expect(duplicatePath![1].match(/Z/g)).toHaveLength(duplicated.length);

    // Where: the plot's geometry, read from the SVG (plot rectangle, W and W + lateness lines).
    const plot = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(svg)!;
    const [left, plotW] = [Number(plot[1]), Number(plot[3])];
    const lines = [
      ...svg.matchAll(/<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="#d62728"/g),
    ].map((m) => Number(m[1]));
    // The first two are the plot's W and W + lateness lines (the legend's samples follow).
    const [yW, yL] = lines as [number, number];
    expect(yL).toBeLessThan(yW);
    const latenessMs = scenario().cutover.latenessMs;
    const yOf = (t: number) => yW - (t / latenessMs) * (yW - yL);
    const xOf = (ms: number) => left + (ms / r.endMs) * plotW;
    const centers = [...duplicatePath![1].matchAll(/M([\d.]+) ([\d.]+)L[\d.]+ ([\d.]+)/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[3]),
    }));
    duplicated.forEach((a, i) => {
      expect(centers[i]!.x).toBeCloseTo(xOf(a.arrivalMs), 0);
      expect(centers[i]!.y).toBeCloseTo(yOf(a.t), 0);
    });
  });

  it('has a legend explaining every mark and line drawn', () => {
    const { r, svg } = run('two-phase');
    const legend = svg.slice(svg.indexOf('>legend<'));
    for (const entry of [
      'record committed by blue',
      'record committed by green',
      'W: the cutover&#39;s event time'.replace('&#39;', "'"),
      'W + lateness (0.30s)',
      `missing record: never committed (${r.missing})`,
      `duplicated record: committed twice or more (${r.duplicates})`,
      'cutover committed',
      'controller wrote Pending',
      'controller wrote Armed',
      'controller wrote Completed',
      'a color fails / is restored',
      'green starts',
      'records made visible by a checkpoint',
      'dots: x = wall time processed, y = event time',
      'markers: x = arrival in the input, y = event time',
    ])
      expect(legend).toContain(`>${entry}<`);
  });
});
