/**
 * An SVG timeline of one run: every committed output record as a dot (x: wall time it was
 * processed, y: its event time), blue and green, with W, W + lateness, the commit, arm, complete
 * and restart moments marked; below, the records committed per checkpoint per color.
 */
import type { RunResult } from './engine.js';
import { fmtMs } from './engine.js';
import { EPOCH } from './scenario.js';

const COLORS = { blue: '#1f6fd1', green: '#1e9e4a' } as const;
const MAX_POINTS = 8000;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function runSvg(r: RunResult, title: string, latenessMs: number): string {
  const W = 1100;
  const H = 640;
  const left = 80;
  const right = 30;
  const top = 50;
  const mainH = 400;
  const stripTop = top + mainH + 50;
  const stripH = 110;
  const plotW = W - left - right;
  const xMax = Math.max(r.endMs, 1);
  const ts = r.points.map((p) => p.t - EPOCH);
  const wOff = r.watermark - EPOCH;
  let yMin = Math.min(wOff, ...ts.slice(0, 1));
  let yMax = Math.max(wOff + latenessMs, ...ts.slice(0, 1));
  for (const t of ts) {
    if (t < yMin) yMin = t;
    if (t > yMax) yMax = t;
  }
  yMin -= 500;
  yMax += 500;
  const x = (ms: number): number => left + (ms / xMax) * plotW;
  const y = (off: number): number => top + mainH - ((off - yMin) / (yMax - yMin)) * mainH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(
    `<text x="${left}" y="40" fill="#444">strategy ${esc(r.strategy)}: ${r.records} records, ${r.duplicates} duplicate(s), ${r.missing} missing; phase ${esc(r.phase)}; output stall ${fmtMs(r.outputStallMs)}</text>`,
  );
  // Axes and grid.
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${mainH}" fill="none" stroke="#999"/>`);
  const step = xMax > 60_000 ? 10_000 : 5_000;
  for (let t = 0; t <= xMax; t += step) {
    out.push(
      `<line x1="${x(t).toFixed(1)}" y1="${top}" x2="${x(t).toFixed(1)}" y2="${stripTop + stripH}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${x(t).toFixed(1)}" y="${stripTop + stripH + 16}" text-anchor="middle" fill="#444">${fmtMs(t)}</text>`,
    );
  }
  out.push(`<text x="${left + plotW / 2}" y="${H - 4}" text-anchor="middle" fill="#222">wall time</text>`);
  out.push(
    `<text x="18" y="${top + mainH / 2}" transform="rotate(-90 18 ${top + mainH / 2})" text-anchor="middle" fill="#222">event time of committed records</text>`,
  );
  const yStep = yMax - yMin > 60_000 ? 10_000 : 5_000;
  for (let t = Math.ceil(yMin / yStep) * yStep; t <= yMax; t += yStep) {
    out.push(
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmtMs(t)}</text>`,
    );
  }
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
  // W and W + lateness.
  out.push(
    `<line x1="${left}" y1="${y(wOff).toFixed(1)}" x2="${left + plotW}" y2="${y(wOff).toFixed(1)}" stroke="#d62728" stroke-dasharray="6 4"/>`,
  );
  out.push(
    `<text x="${left + plotW - 4}" y="${(y(wOff) - 4).toFixed(1)}" text-anchor="end" fill="#d62728">W</text>`,
  );
  if (latenessMs > 0) {
    out.push(
      `<line x1="${left}" y1="${y(wOff + latenessMs).toFixed(1)}" x2="${left + plotW}" y2="${y(wOff + latenessMs).toFixed(1)}" stroke="#d62728" stroke-dasharray="2 4" opacity="0.6"/>`,
    );
    out.push(
      `<text x="${left + plotW - 4}" y="${(y(wOff + latenessMs) - 4).toFixed(1)}" text-anchor="end" fill="#d62728" opacity="0.8">W + lateness</text>`,
    );
  }
  // Moments.
  const marks: { at: number; label: string; color: string }[] = [];
  for (const e of r.timeline) {
    if (e.kind === 'commit') marks.push({ at: e.atMs, label: 'cutover committed', color: '#555' });
    if (e.kind === 'status') {
      const phase = /controller: (\w+)/.exec(e.text)?.[1] ?? 'status';
      marks.push({
        at: e.atMs,
        label: phase,
        color:
          phase === 'Armed'
            ? '#ff7f0e'
            : phase === 'Completed'
              ? '#8c3fbf'
              : phase === 'Rejected'
                ? '#d62728'
                : '#777',
      });
    }
    if (e.kind === 'restart') marks.push({ at: e.atMs, label: `${e.color} fails`, color: '#000' });
    if (e.kind === 'restore') marks.push({ at: e.atMs, label: `${e.color} restored`, color: '#000' });
    if (e.kind === 'start' && e.atMs > 0)
      marks.push({ at: e.atMs, label: `${e.color} starts`, color: COLORS[e.color ?? 'green'] });
    if (e.kind === 'teardown') marks.push({ at: e.atMs, label: `${e.color} torn down`, color: '#000' });
  }
  marks.forEach((m, i) => {
    const xx = x(m.at).toFixed(1);
    out.push(
      `<line x1="${xx}" y1="${top}" x2="${xx}" y2="${stripTop + stripH}" stroke="${m.color}" stroke-dasharray="3 3"/>`,
    );
    out.push(
      `<text x="${(x(m.at) + 3).toFixed(1)}" y="${top + 14 + (i % 6) * 14}" fill="${m.color}">${esc(m.label)}</text>`,
    );
  });
  // Strip: records committed per checkpoint per color.
  out.push(
    `<text x="${left}" y="${stripTop - 8}" fill="#222">records made visible per checkpoint (gaps = output stall)</text>`,
  );
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
  out.push(
    `<text x="${left - 6}" y="${stripTop + stripH / 2 - 4}" text-anchor="end" fill="${COLORS.blue}">blue</text>`,
  );
  out.push(
    `<text x="${left - 6}" y="${stripTop + stripH - 4}" text-anchor="end" fill="${COLORS.green}">green</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
