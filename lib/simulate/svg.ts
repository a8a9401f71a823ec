/**
 * An SVG timeline of one run: every committed output record as a dot (x: wall time it was
 * processed, y: its event time), blue and green, with W, W + lateness, the commit, arm, complete
 * and restart moments marked, and a marker on every record the audit found missing or duplicated;
 * below, the records committed per checkpoint per color; on the right, a legend of every mark.
 *
 * No label sits on another: the moment labels are stacked in rows above the plot (a label goes
 * to the first row where it clears the one before it), and tick steps are chosen so that their
 * labels keep apart. Text widths are estimated as font size x characters x CHAR_WIDTH.
 */
import type { Anomaly, RunResult } from './engine.js';
import { fmtMs } from './engine.js';
import { EPOCH } from './scenario.js';

const COLORS = { blue: '#1f6fd1', green: '#1e9e4a' } as const;
const W_COLOR = '#d62728';
const MISSING_COLOR = '#e6007e';
const DUPLICATE_FILL = '#ffd400';
const DUPLICATE_STROKE = '#7a5c00';
const MAX_POINTS = 8000;
const FONT = 12;
/** A generous estimate of a sans-serif glyph's advance, in font sizes (placement errs wide). */
export const CHAR_WIDTH = 0.62;
const GAP = 6;
const ROW = FONT + 4;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function textWidth(s: string, size = FONT): number {
  return s.length * size * CHAR_WIDTH;
}

/** The smallest step from a 1-2-5 ladder (in ms) whose spacing in pixels is at least `minPx`. */
function tickStep(rangeMs: number, lengthPx: number, minPx: number): number {
  const ladder = [1, 2, 5];
  for (let scale = 100; ; scale *= 10)
    for (const m of ladder) {
      const step = m * scale;
      if ((step / rangeMs) * lengthPx >= minPx || step >= rangeMs) return step;
    }
}

interface Moment {
  at: number;
  label: string;
  color: string;
  /** Legend line this moment's kind is explained by. */
  legend: string;
}

function momentsOf(r: RunResult): Moment[] {
  const marks: Moment[] = [];
  for (const e of r.timeline) {
    if (e.kind === 'commit')
      marks.push({ at: e.atMs, label: 'cutover committed', color: '#555', legend: 'cutover committed' });
    if (e.kind === 'status') {
      const phase = /controller: (\w+)/.exec(e.text)?.[1] ?? 'status';
      const color =
        phase === 'Armed'
          ? '#ff7f0e'
          : phase === 'Completed'
            ? '#8c3fbf'
            : phase === 'Rejected'
              ? W_COLOR
              : '#777';
      marks.push({ at: e.atMs, label: phase, color, legend: `controller wrote ${phase}` });
    }
    const c = e.color ?? 'green';
    if (e.kind === 'restart')
      marks.push({ at: e.atMs, label: `${c} fails`, color: '#000', legend: 'a color fails / is restored' });
    if (e.kind === 'restore')
      marks.push({
        at: e.atMs,
        label: `${c} restored`,
        color: '#000',
        legend: 'a color fails / is restored',
      });
    if (e.kind === 'start' && e.atMs > 0)
      marks.push({ at: e.atMs, label: `${c} starts`, color: COLORS[c], legend: `${c} starts` });
    if (e.kind === 'teardown')
      marks.push({ at: e.atMs, label: `${c} torn down`, color: '#000', legend: 'a color is torn down' });
  }
  return marks;
}

/** Moment labels placed in rows: each at its line (or left of it near the right edge), the first row it clears. */
function placeLabels(
  marks: readonly Moment[],
  x: (ms: number) => number,
  minX: number,
  maxX: number,
): { mark: Moment; x: number; anchor: 'start' | 'end'; row: number }[] {
  const placed = marks.map((mark) => {
    const w = textWidth(mark.label);
    const lx = x(mark.at);
    const fitsRight = lx + 3 + w <= maxX;
    const anchor: 'start' | 'end' = fitsRight || lx - 3 - w < minX ? 'start' : 'end';
    const tx = anchor === 'start' ? lx + 3 : lx - 3;
    const [from, to] = anchor === 'start' ? [tx, tx + w] : [tx - w, tx];
    return { mark, x: tx, anchor, from, to, row: 0 };
  });
  const rows: number[] = []; // right edge of the last label in each row
  for (const p of [...placed].sort((a, b) => a.from - b.from)) {
    let row = rows.findIndex((right) => right + GAP <= p.from);
    if (row === -1) {
      row = rows.length;
      rows.push(p.to);
    } else rows[row] = p.to;
    p.row = row;
  }
  return placed.map(({ mark, x: tx, anchor, row }) => ({ mark, x: tx, anchor, row }));
}

function cross(cx: number, cy: number, r = 4): string {
  return `M${(cx - r).toFixed(1)} ${(cy - r).toFixed(1)}L${(cx + r).toFixed(1)} ${(cy + r).toFixed(1)}M${(cx - r).toFixed(1)} ${(cy + r).toFixed(1)}L${(cx + r).toFixed(1)} ${(cy - r).toFixed(1)}`;
}

function diamond(cx: number, cy: number, r = 4.5): string {
  return `M${cx.toFixed(1)} ${(cy - r).toFixed(1)}L${(cx + r).toFixed(1)} ${cy.toFixed(1)}L${cx.toFixed(1)} ${(cy + r).toFixed(1)}L${(cx - r).toFixed(1)} ${cy.toFixed(1)}Z`;
}

export function runSvg(r: RunResult, title: string, latenessMs: number): string {
  const left = 80;
  const plotW = 900;
  const legendX = left + plotW + 24;
  const legendW = 430;
  const width = legendX + legendW;
  const mainH = 400;
  const stripH = 110;
  const xMax = Math.max(r.endMs, 1);
  const x = (ms: number): number => left + (ms / xMax) * plotW;

  const marks = momentsOf(r);
  const labels = placeLabels(marks, x, 0, left + plotW);
  const rows = labels.reduce((n, l) => Math.max(n, l.row + 1), 0);
  const bandTop = 50;
  const top = bandTop + rows * ROW + 10;
  const stripTop = top + mainH + 50;

  const anomalies: readonly Anomaly[] = r.anomalies;
  const ts = r.points.map((p) => p.t - EPOCH);
  const wOff = r.watermark - EPOCH;
  let yMin = Math.min(wOff, wOff + latenessMs);
  let yMax = Math.max(wOff, wOff + latenessMs);
  for (const t of ts) {
    if (t < yMin) yMin = t;
    if (t > yMax) yMax = t;
  }
  for (const a of anomalies) {
    if (a.t + wOff < yMin) yMin = a.t + wOff;
    if (a.t + wOff > yMax) yMax = a.t + wOff;
  }
  yMin -= 500;
  yMax += 500;
  const y = (off: number): number => top + mainH - ((off - yMin) / (yMax - yMin)) * mainH;

  const out: string[] = [];
  const text = (
    tx: number,
    ty: number,
    s: string,
    attrs: { anchor?: 'start' | 'middle' | 'end'; fill?: string; size?: number; extra?: string } = {},
  ): void => {
    out.push(
      `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}"${attrs.anchor && attrs.anchor !== 'start' ? ` text-anchor="${attrs.anchor}"` : ''}${attrs.size ? ` font-size="${attrs.size}"` : ''}${attrs.fill ? ` fill="${attrs.fill}"` : ''}${attrs.extra ?? ''}>${esc(s)}</text>`,
    );
  };

  // Header.
  const headerLines = [
    `strategy ${r.strategy}: ${r.records} records, ${r.duplicates} duplicate(s), ${r.missing} missing; phase ${r.phase}; output stall ${fmtMs(r.outputStallMs)}`,
  ];
  text(left, 22, title, { size: 15, extra: ' font-weight="bold"' });
  text(left, 40, headerLines[0]!, { fill: '#444' });

  // Grid and x ticks (their labels at least a label's width apart).
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${mainH}" fill="none" stroke="#999"/>`);
  const xLabelW = Math.max(textWidth(fmtMs(xMax)), textWidth('00.00s'));
  const step = tickStep(xMax, plotW, xLabelW + 2 * GAP);
  for (let t = 0; t <= xMax; t += step) {
    out.push(
      `<line x1="${x(t).toFixed(1)}" y1="${top}" x2="${x(t).toFixed(1)}" y2="${stripTop + stripH}" stroke="#eee"/>`,
    );
    text(x(t), stripTop + stripH + 16, fmtMs(t), { anchor: 'middle', fill: '#444' });
  }
  text(left + plotW / 2, stripTop + stripH + 36, 'wall time since the start', {
    anchor: 'middle',
    fill: '#222',
  });
  const axisY = top + mainH / 2;
  text(18, axisY, 'event time of committed records', {
    anchor: 'middle',
    fill: '#222',
    extra: ` transform="rotate(-90 18 ${axisY.toFixed(1)})"`,
  });
  const yStep = tickStep(yMax - yMin, mainH, ROW + 2);
  for (let t = Math.ceil(yMin / yStep) * yStep; t <= yMax; t += yStep)
    text(left - 6, y(t) + 4, fmtMs(t), { anchor: 'end', fill: '#444' });

  // Points (subsampled when many).
  const stride = Math.max(1, Math.ceil(r.points.length / MAX_POINTS));
  for (const c of ['blue', 'green'] as const) {
    const dots: string[] = [];
    r.points.forEach((p, i) => {
      if (p.color === c && i % stride === 0)
        dots.push(`M${x(p.atMs).toFixed(1)} ${y(p.t - EPOCH).toFixed(1)}h0.01`);
    });
    out.push(
      `<path d="${dots.join('')}" stroke="${COLORS[c]}" stroke-width="3" stroke-linecap="round" opacity="0.6"/>`,
    );
  }

  // W and W + lateness: W + lateness's label above its line (below when that leaves the plot),
  // W's below its own (above at the bottom), moved to the left end if the two would touch.
  const yW = y(wOff);
  out.push(
    `<line x1="${left}" y1="${yW.toFixed(1)}" x2="${left + plotW}" y2="${yW.toFixed(1)}" stroke="${W_COLOR}" stroke-dasharray="6 4"/>`,
  );
  let latBaseline: number | undefined;
  if (latenessMs > 0) {
    const yL = y(wOff + latenessMs);
    out.push(
      `<line x1="${left}" y1="${yL.toFixed(1)}" x2="${left + plotW}" y2="${yL.toFixed(1)}" stroke="${W_COLOR}" stroke-dasharray="2 4" opacity="0.6"/>`,
    );
    latBaseline = yL - 4 - FONT >= top ? yL - 4 : yL + FONT + 2;
    text(left + plotW - 4, latBaseline, 'W + lateness', { anchor: 'end', fill: W_COLOR });
  }
  const wBaseline = yW + FONT + 2 <= top + mainH ? yW + FONT + 2 : yW - 4;
  const clash = latBaseline !== undefined && Math.abs(latBaseline - wBaseline) < ROW;
  if (clash) text(left + 4, wBaseline, 'W', { fill: W_COLOR });
  else text(left + plotW - 4, wBaseline, 'W', { anchor: 'end', fill: W_COLOR });

  // Missing and duplicated records, at their arrival (x) and event time (y), over the dots.
  const missing = anomalies.filter((a) => a.kind === 'missing');
  const duplicated = anomalies.filter((a) => a.kind === 'duplicate');
  if (missing.length > 0)
    out.push(
      `<path class="missing" d="${missing.map((a) => cross(x(a.arrivalMs), y(a.t + wOff))).join('')}" stroke="${MISSING_COLOR}" stroke-width="2" fill="none"/>`,
    );
  if (duplicated.length > 0)
    out.push(
      `<path class="duplicate" d="${duplicated.map((a) => diamond(x(a.arrivalMs), y(a.t + wOff))).join('')}" fill="${DUPLICATE_FILL}" stroke="${DUPLICATE_STROKE}" stroke-width="1"/>`,
    );

  // Moments: a line across plot and strip, the label in its row above the plot.
  for (const l of labels) {
    const xx = x(l.mark.at).toFixed(1);
    out.push(
      `<line x1="${xx}" y1="${top}" x2="${xx}" y2="${stripTop + stripH}" stroke="${l.mark.color}" stroke-dasharray="3 3"/>`,
    );
    text(l.x, bandTop + FONT + l.row * ROW, l.mark.label, { anchor: l.anchor, fill: l.mark.color });
  }

  // Strip: records committed per checkpoint per color.
  text(left, stripTop - 8, 'records made visible per checkpoint (gaps = output stall)', { fill: '#222' });
  out.push(
    `<rect x="${left}" y="${stripTop}" width="${plotW}" height="${stripH}" fill="none" stroke="#999"/>`,
  );
  const bins = new Map<string, number>();
  let maxBin = 1;
  for (const p of r.points) {
    const k = `${p.color}|${p.committedAtMs}`;
    const n = (bins.get(k) ?? 0) + 1;
    bins.set(k, n);
    if (n > maxBin) maxBin = n;
  }
  for (const [k, n] of bins) {
    const [c, at] = k.split('|') as ['blue' | 'green', string];
    const h = (n / maxBin) * (stripH / 2 - 4);
    const base = c === 'blue' ? stripTop + stripH / 2 : stripTop + stripH;
    out.push(
      `<rect x="${(x(Number(at)) - 1.5).toFixed(1)}" y="${(base - h).toFixed(1)}" width="3" height="${h.toFixed(1)}" fill="${COLORS[c]}"/>`,
    );
  }
  text(left - 6, stripTop + stripH / 2 - 4, 'blue', { anchor: 'end', fill: COLORS.blue });
  text(left - 6, stripTop + stripH - 4, 'green', { anchor: 'end', fill: COLORS.green });

  // Legend: every mark and line drawn, once per kind.
  const entries: { symbol: string; label: string }[] = [];
  const sx = legendX + 12;
  const sym = (cy: number, kind: string, color: string): string => {
    if (kind === 'dot')
      return `<path d="M${sx + 6} ${cy}h0.01" stroke="${color}" stroke-width="5" stroke-linecap="round"/>`;
    if (kind === 'missing')
      return `<path d="${cross(sx + 6, cy)}" stroke="${MISSING_COLOR}" stroke-width="2" fill="none"/>`;
    if (kind === 'duplicate')
      return `<path d="${diamond(sx + 6, cy)}" fill="${DUPLICATE_FILL}" stroke="${DUPLICATE_STROKE}"/>`;
    if (kind === 'bar')
      return `<rect x="${sx + 4}" y="${cy - 6}" width="3" height="10" fill="${COLORS.blue}"/><rect x="${sx + 9}" y="${cy - 3}" width="3" height="7" fill="${COLORS.green}"/>`;
    const dash = kind === 'W' ? '6 4' : kind === 'W+l' ? '2 4' : kind === 'moment' ? '3 3' : '';
    if (kind === 'vline')
      return `<line x1="${sx + 6}" y1="${cy - 7}" x2="${sx + 6}" y2="${cy + 5}" stroke="${color}" stroke-width="2" stroke-dasharray="3 2"/>`;
    return `<line x1="${sx - 2}" y1="${cy}" x2="${sx + 16}" y2="${cy}" stroke="${color}" stroke-dasharray="${dash}"/>`;
  };
  const add = (kind: string, color: string, label: string) =>
    entries.push({ symbol: `${kind}|${color}`, label });
  add('dot', COLORS.blue, 'record committed by blue');
  add('dot', COLORS.green, 'record committed by green');
  add('W', W_COLOR, "W: the cutover's event time");
  if (latenessMs > 0) add('W+l', W_COLOR, `W + lateness (${fmtMs(latenessMs)})`);
  add('missing', MISSING_COLOR, `missing record: never committed (${r.missing})`);
  add('duplicate', DUPLICATE_FILL, `duplicated record: committed twice or more (${r.duplicates})`);
  const seen = new Set<string>();
  for (const m of marks) {
    if (seen.has(m.legend)) continue;
    seen.add(m.legend);
    add('vline', m.color, m.legend);
  }
  add('bar', COLORS.blue, 'records made visible by a checkpoint');
  const notes = [
    'dots: x = wall time processed, y = event time',
    'markers: x = arrival in the input, y = event time',
    ...(missing.length < r.missing || duplicated.length < r.duplicates
      ? [`markers: the first ${missing.length} missing, ${duplicated.length} duplicated shown`]
      : []),
  ];
  const legendTop = top;
  const legendH = 28 + (entries.length + notes.length) * ROW + 8;
  out.push(
    `<rect x="${legendX}" y="${legendTop}" width="${legendW - 10}" height="${legendH}" fill="#fafafa" stroke="#ccc"/>`,
  );
  text(legendX + 12, legendTop + 18, 'legend', { fill: '#222', extra: ' font-weight="bold"' });
  entries.forEach((e, i) => {
    const cy = legendTop + 30 + i * ROW;
    const [kind, color] = e.symbol.split('|') as [string, string];
    out.push(sym(cy, kind, color));
    text(legendX + 40, cy + 4, e.label, { fill: '#222' });
  });
  notes.forEach((n, i) =>
    text(legendX + 12, legendTop + 30 + (entries.length + i) * ROW + 4, n, { fill: '#555' }),
  );

  const height = Math.max(stripTop + stripH + 46, legendTop + legendH + 10);
  out.unshift(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
