/**
 * What `flink-cutover status` shows, as data and as text: per pipeline the active and standby
 * colors, the generation and phase, W (ISO and relative), each color's watermark and its lag to
 * W + lateness with a progress bar, the reason, and the next step allowed as the exact command.
 * Pure: the CLI reads the ConfigMaps and passes their data and the time.
 */
import type { CutoverDesired, CutoverStatus, Phase } from '../gate/contract.js';
import { parseCutoverConfigMap, parseCutoverStatus } from '../gate/contract.js';
import type { Color } from '../spec/types.js';
import { COLORS } from '../spec/types.js';

export interface StatusInput {
  namespace: string;
  /** `<name>-cutover` data. */
  desired: Record<string, string>;
  /** `<name>-cutover-status` data (null: none yet). */
  status: Record<string, string> | null;
}

export interface ColorLine {
  color: Color;
  role: 'active' | 'standby';
  gate: boolean;
  /** Min committed gate watermark (epoch ms) as the status reports it. */
  watermark?: number;
  /** W + lateness - watermark (ms); <= 0 reached. */
  lagMs?: number;
  /** 0..1: the watermark's position in the hour before W + lateness (PROGRESS_WINDOW_MS); 1 = reached. */
  progress?: number;
}

export interface PipelineView {
  namespace: string;
  pipeline: string;
  active: Color;
  standby?: Color;
  generation: number;
  /** `None` when there is no cutover and no status. */
  phase: Phase | 'None';
  /** W, epoch ms (with a cutover). */
  watermark?: number;
  lateness: number;
  colors: ColorLine[];
  reason?: string;
  armedAt?: string;
  completedAt?: string;
  updatedAt?: string;
  /** The next step allowed, as the exact command(s), or why none is. */
  next: { command?: string; note: string };
  /** Invalid data, in words. */
  errors: string[];
}

/** The progress bar's window: a color's watermark from (W + lateness - window) to W + lateness. */
export const PROGRESS_WINDOW_MS = 3_600_000;

/** `in 4m 10s` / `12m 3s ago` / `now`. */
export function relative(ms: number, now: number): string {
  const d = ms - now;
  const abs = Math.abs(d);
  if (abs < 1000) return 'now';
  const text = duration(abs);
  return d > 0 ? `in ${text}` : `${text} ago`;
}

/** `1h 2m`, `4m 10s`, `12s`. */
export function duration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** A bar of `width` cells, `fraction` (0..1) filled. */
export function bar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

function nextStep(
  p: string,
  ns: string,
  d: CutoverDesired,
  s: CutoverStatus | null,
  phase: PipelineView['phase'],
): PipelineView['next'] {
  const nsFlag = ` --namespace ${ns}`;
  const withStatus = (cmd: string) =>
    `kubectl get configmap ${p}-cutover-status -n ${ns} -o yaml > ${p}-cutover-status.yaml && flink-cutover ${cmd}${nsFlag} --status ${p}-cutover-status.yaml`;
  const standby = COLORS.find((c) => c !== d.active && d.colors[c]);
  switch (phase) {
    case 'None':
      if (!standby)
        return {
          command: `flink-cutover stage ${p}${nsFlag} --image IMAGE --from-latest-checkpoint --rest ${d.colors[d.active]?.restUrl ?? 'URL'}`,
          note: 'stage a standby color with the new image',
        };
      return {
        command: `flink-cutover schedule ${p}${nsFlag} --at +30m`,
        note: `commit the cutover to ${standby} (or abandon it: flink-cutover abandon ${p}${nsFlag})`,
      };
    case 'Pending':
      return {
        note: `none: the controller arms or rejects the generation once every gate subtask has reported (to withdraw it first: ${s ? withStatus(`cancel ${p}`).replace(/^kubectl .*? && /, '') : `flink-cutover cancel ${p}${nsFlag} --assume-pending`})`,
      };
    case 'Armed':
      return { note: `none: the cutover completes when both watermarks reach W + lateness` };
    case 'Rejected':
      return s?.reason?.includes('withdrawn')
        ? {
            command: `flink-cutover schedule ${p}${nsFlag} --at +30m`,
            note: 'commit the cutover again with a new generation, or leave it withdrawn',
          }
        : {
            command: withStatus(`schedule ${p} --at +30m`),
            note: `commit the next generation with a later W (or withdraw the cutover: ${withStatus(`cancel ${p}`).replace(/^kubectl .*? && /, '')})`,
          };
    case 'Completed':
      return {
        command: withStatus(`teardown ${p}`),
        note: `remove the old color ${d.active === d.to ? '' : d.active} once policy.teardownDelay has passed (or roll back: ${withStatus(`rollback ${p} --at +30m`).replace(/^kubectl .*? && /, '')})`.replace(
          '  ',
          ' ',
        ),
      };
  }
}

/** The view of one pipeline (pure). */
export function pipelineView(input: StatusInput): PipelineView {
  const errors: string[] = [];
  const d = parseCutoverConfigMap(input.desired);
  if (!d.ok) {
    return {
      namespace: input.namespace,
      pipeline: input.desired.pipeline ?? '(unknown)',
      active: (input.desired.active as Color) ?? 'blue',
      generation: Number(input.desired.generation) || 0,
      phase: 'None',
      lateness: 0,
      colors: [],
      next: { note: 'fix the desired ConfigMap in git' },
      errors: d.errors.map((e) => `${e.key || '(data)'}: ${e.message}`),
    };
  }
  const desired = d.value;
  let status: CutoverStatus | null = null;
  if (input.status) {
    const s = parseCutoverStatus(input.status);
    if (s.ok) status = s.value;
    else errors.push(...s.errors.map((e) => `status ${e.key || '(data)'}: ${e.message}`));
  }
  const g = desired.generation > 0 ? desired.generation : (status?.generation ?? 0);
  const current = status && status.generation === g ? status : null;
  const phase: PipelineView['phase'] =
    desired.generation > 0
      ? (current?.phase ?? 'Pending')
      : current && status!.phase !== 'Pending'
        ? status!.phase
        : current
          ? 'Pending'
          : 'None';
  const w = desired.watermark;
  const target = w !== undefined ? w + desired.lateness : undefined;
  const standby = desired.to ?? COLORS.find((c) => c !== desired.active && desired.colors[c]);
  const colors: ColorLine[] = COLORS.filter((c) => desired.colors[c]).map((c) => {
    const line: ColorLine = {
      color: c,
      role: c === desired.active ? 'active' : 'standby',
      gate: desired.colors[c]!.gate,
    };
    const wm = current?.watermarks[c];
    if (wm !== undefined) {
      line.watermark = wm;
      if (target !== undefined) {
        line.lagMs = target - wm;
        line.progress = Math.max(0, Math.min(1, 1 - line.lagMs / PROGRESS_WINDOW_MS));
      }
    }
    return line;
  });
  const view: PipelineView = {
    namespace: input.namespace,
    pipeline: desired.pipeline,
    active: desired.active,
    ...(standby ? { standby } : {}),
    generation: g,
    phase,
    lateness: desired.lateness,
    colors,
    next: nextStep(desired.pipeline, input.namespace, desired, current, phase),
    errors,
  };
  if (w !== undefined) view.watermark = w;
  if (current?.reason) view.reason = current.reason;
  else if (!current && desired.generation > 0)
    view.reason = 'no status yet: the controller has not decided this generation (is it running?)';
  if (current?.armedAt) view.armedAt = current.armedAt;
  if (current?.completedAt) view.completedAt = current.completedAt;
  if (current?.updatedAt) view.updatedAt = current.updatedAt;
  return view;
}

/** The status screen (plain text, no colors), pipelines in the given order. */
export function renderStatus(views: readonly PipelineView[], now: number): string {
  if (views.length === 0)
    return 'No pipelines found (no ConfigMap labelled flink-cutover.dev/role=desired).\n';
  const out: string[] = [];
  for (const v of views) {
    const rows: [string, string][] = [];
    rows.push(['Active', v.active]);
    rows.push(['Standby', v.standby ?? '(none)']);
    rows.push(['Generation', v.generation === 0 ? '0 (no cutover)' : String(v.generation)]);
    rows.push(['Phase', v.phase === 'None' ? 'no cutover' : v.phase]);
    if (v.watermark !== undefined) {
      rows.push(['W', `${new Date(v.watermark).toISOString()} (${relative(v.watermark, now)})`]);
      rows.push([
        'W + lateness',
        `${new Date(v.watermark + v.lateness).toISOString()} (lateness ${duration(v.lateness)})`,
      ]);
    }
    for (const c of v.colors) {
      const label = `${c.color} (${c.role}${c.gate ? '' : ', no gate'})`;
      if (c.watermark === undefined)
        rows.push([label, v.phase === 'None' ? '-' : 'watermark not reported yet']);
      else if (c.lagMs !== undefined) {
        const lag = c.lagMs <= 0 ? 'reached W + lateness' : `${duration(c.lagMs)} behind W + lateness`;
        rows.push([label, `${bar(c.progress ?? 0)} ${new Date(c.watermark).toISOString()}  ${lag}`]);
      } else rows.push([label, new Date(c.watermark).toISOString()]);
    }
    if (v.armedAt) rows.push(['Armed at', `${v.armedAt} (${relative(Date.parse(v.armedAt), now)})`]);
    if (v.completedAt)
      rows.push(['Completed at', `${v.completedAt} (${relative(Date.parse(v.completedAt), now)})`]);
    if (v.reason) rows.push(['Reason', v.reason]);
    for (const e of v.errors) rows.push(['Error', e]);
    rows.push(['Next', v.next.note]);
    if (v.next.command) rows.push(['', `$ ${v.next.command}`]);
    const width = Math.max(...rows.map(([k]) => k.length));
    out.push(`Pipeline ${v.namespace}/${v.pipeline}`);
    for (const [k, val] of rows)
      out.push(`  ${k ? (k + ':').padEnd(width + 1) : ' '.repeat(width + 1)}  ${val}`);
    out.push('');
  }
  return out.join('\n');
}
