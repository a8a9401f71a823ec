import { parse } from 'yaml';
import { formatDuration } from '../../spec/duration.js';
import { effectiveSpec, lifecycleState, standbyColor } from '../../spec/effective.js';
import type { Color, Pipeline } from '../../spec/types.js';
import type { CutoverStatus } from '../status.js';
import { otherColor } from '../../spec/types.js';
import { knownGeneration, LAST_GENERATION_ANNOTATION } from '../transition.js';
import { isoSeconds, PromotionArgError } from './at.js';
import type { SpecEdit } from './yaml-edit.js';
import { Flow, quoted } from './yaml-edit.js';

/** The promotion is not legal from the pipeline's current state (exit 1, nothing written). */
export class PromotionRefused extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.name = 'PromotionRefused';
    this.fix = fix;
  }
}

/** What a promotion step did, for the pull request. */
export interface PromotionOutcome {
  readonly step: 'stage' | 'schedule' | 'teardown' | 'rollback' | 'abandon' | 'cancel';
  readonly title: string;
  readonly summary: string[];
  readonly next: string;
}

function name(p: Pipeline): string {
  return p.metadata.name;
}

function requireState(p: Pipeline, want: 'Steady' | 'Staged' | 'Cutover', step: string): void {
  const s = lifecycleState(p);
  if (s === want) return;
  const hint: Record<string, string> = {
    Steady: `stage a standby color first (flink-cutover stage ${name(p)} --image ...)`,
    Staged:
      s === 'Steady'
        ? `stage a standby color first (flink-cutover stage ${name(p)} --image ...)`
        : `the cutover is committed: teardown after it completes, or rollback`,
    Cutover:
      s === 'Staged'
        ? `schedule a cutover first (flink-cutover schedule ${name(p)} --at +30m)`
        : `stage and schedule a cutover first`,
  };
  const fix =
    s === 'Staged' && want === 'Steady'
      ? `abandon the standby (flink-cutover abandon ${name(p)}) or schedule a cutover to it`
      : s === 'Cutover' && want !== 'Cutover'
        ? `teardown after the cutover completes, or rollback; while it is Pending or Rejected, withdraw it (flink-cutover cancel ${name(p)} --status status.yaml) or, if Rejected, schedule again with a later --at`
        : hint[want]!;
  throw new PromotionRefused(
    `${name(p)} is ${s}${s === 'Cutover' ? ` (#${p.spec.cutover!.generation} ${p.spec.active} → ${p.spec.cutover!.to})` : ''}; ${step} needs it ${want}`,
    fix,
  );
}

/** Splits `--set key=value`: `flinkConfiguration.<flink key>` keeps the dotted Flink key whole; values are YAML scalars. */
export function parseSet(assignment: string): { path: string[]; value: unknown } {
  const eq = assignment.indexOf('=');
  if (eq <= 0)
    throw new PromotionArgError(
      `--set ${assignment}: use key=value, e.g. taskManager.resource.memory=8192m or flinkConfiguration.taskmanager.numberOfTaskSlots=4`,
    );
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  const path = key.startsWith('flinkConfiguration.')
    ? ['flinkConfiguration', key.slice('flinkConfiguration.'.length)]
    : key.split('.');
  if (path.some((s) => s === '')) throw new PromotionArgError(`--set ${assignment}: empty key segment`);
  const reserved = path
    .slice(0, path[0] === 'flinkConfiguration' ? 1 : undefined)
    .find((seg) => ['__proto__', 'constructor', 'prototype'].includes(seg));
  if (reserved !== undefined)
    throw new PromotionArgError(`--set ${assignment}: "${reserved}" is not a field of a color`);
  if (['initialSavepointPath', 'gate'].includes(path[0]!))
    throw new PromotionArgError(
      `--set ${assignment}: use --from-savepoint for the initial state; a new color always has a gate`,
    );
  let value: unknown;
  try {
    value = raw === '' ? '' : (parse(raw) as unknown);
  } catch {
    value = raw;
  }
  if (path[0] === 'flinkConfiguration' && typeof value !== 'string') value = raw; // Flink reads strings
  return { path, value };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where the Flink key `key` sits in a flinkConfiguration map as written: `['a.b.c']` when held
 * dotted (or not at all), `['a', 'b.c']` or `['a', 'b', 'c']` when nested under `a` (and `b`).
 */
export function flinkKeyPath(conf: unknown, key: string): string[] {
  if (!isObject(conf) || Object.hasOwn(conf, key)) return [key];
  for (const k of Object.keys(conf))
    if (key.startsWith(`${k}.`) && isObject(conf[k]))
      return [k, ...flinkKeyPath(conf[k], key.slice(k.length + 1))];
  return [key];
}

export interface StageOptions {
  image: string;
  initialSavepointPath?: string;
  set?: string[];
}

/** Steady → Staged: adds the standby color with the new image, its initial state and overrides. */
export function stage(doc: SpecEdit, p: Pipeline, o: StageOptions): PromotionOutcome {
  requireState(p, 'Steady', 'stage');
  const active = p.spec.active;
  const standby = otherColor(active);
  const entry: Record<string, unknown> = { image: o.image };
  if (o.initialSavepointPath) entry.initialSavepointPath = o.initialSavepointPath;
  const sets = (o.set ?? []).map(parseSet);
  const conf = p.spec.template.flinkConfiguration;
  for (const s0 of sets) {
    // A Flink key is written in the form the template holds it: under its nested map when the
    // template nests it (`high-availability: {storageDir: ...}`), dotted when it is dotted or absent,
    // so the new color's effective configuration never holds one key twice.
    const s =
      s0.path[0] === 'flinkConfiguration' && s0.path.length === 2
        ? { ...s0, path: ['flinkConfiguration', ...flinkKeyPath(conf, s0.path[1]!)] }
        : s0;
    let at = entry;
    // Own properties only (defineProperty): no key, not even __proto__, reaches a prototype.
    const own = (o: Record<string, unknown>, k: string, v: unknown) =>
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    for (const seg of s.path.slice(0, -1)) {
      const next = Object.hasOwn(at, seg) ? at[seg] : undefined;
      if (typeof next === 'object' && next !== null && !Array.isArray(next))
        at = next as Record<string, unknown>;
      else {
        const fresh: Record<string, unknown> = {};
        own(at, seg, fresh);
        at = fresh;
      }
    }
    own(at, s.path[s.path.length - 1]!, s.value);
  }
  doc.set(['spec', 'colors', standby], entry, active);
  const from = effectiveSpec(p, active).image ?? '(template image)';
  return {
    step: 'stage',
    title: `${name(p)}: stage ${standby} (${o.image})`,
    summary: [
      `Stages ${standby} as the standby color of ${name(p)}: ${from} → ${o.image}.`,
      o.initialSavepointPath
        ? `${standby} starts from ${o.initialSavepointPath} (state of ${active}) and replays the gap.`
        : `${standby} starts without initial state.`,
      ...(sets.length > 0
        ? [
            `Overrides for ${standby}: ${sets.map((s) => `${s.path.join('.')}=${JSON.stringify(s.value)}`).join(', ')}.`,
          ]
        : []),
      `${active} keeps the output; ${standby}'s gate holds all its output until a cutover is committed. The validation gate (${name(p)}-${standby}-verify) checks it after sync.`,
    ],
    next: `when ${standby} is validated: flink-cutover schedule ${name(p)} --at +${p.spec.policy.minLeadTime} (or later)`,
  };
}

export interface ScheduleOptions {
  /** Epoch millis of the cutover watermark. */
  at: number;
  now: number;
  /** The controller's last generation, when known (--status). */
  statusGeneration?: number;
}

/**
 * Cutover(g) → Cutover(g+1), same direction, another W: the way on after the controller Rejected g
 * (or while it is still Pending). The check refuses it for an Armed or Completed g.
 */
function reschedule(doc: SpecEdit, p: Pipeline, o: ScheduleOptions): PromotionOutcome {
  const { to, generation: prev, watermark: prevW } = p.spec.cutover!;
  const g = Math.max(knownGeneration(p), o.statusGeneration ?? 0) + 1;
  const w = isoSeconds(o.at);
  doc.set(['spec', 'cutover'], new Flow({ generation: g, to, watermark: quoted(w) }), 'colors');
  return {
    step: 'schedule',
    title: `${name(p)}: reschedule cutover ${p.spec.active} → ${to} as #${g} at ${w}`,
    summary: [
      `Replaces cutover #${prev} (watermark ${prevW}) by cutover #${g}: records with event time before ${w} are emitted by ${p.spec.active}, from ${w} on by ${to}.`,
      `That is ${formatDuration(o.at - o.now)} after ${isoSeconds(o.now)}; policy.minLeadTime is ${p.spec.policy.minLeadTime}.`,
      `Only right while #${prev} is Rejected or Pending (status ConfigMap ${name(p)}-cutover-status); an Armed cutover completes, and a Completed one is undone by a rollback.`,
    ],
    next: `after Completed and ${p.spec.policy.teardownDelay} (policy.teardownDelay): flink-cutover teardown ${name(p)} --status status.yaml`,
  };
}

/** Staged → Cutover(g): commits the handover to the standby color at W (from Cutover: reschedule). */
export function schedule(doc: SpecEdit, p: Pipeline, o: ScheduleOptions): PromotionOutcome {
  if (lifecycleState(p) === 'Cutover') return reschedule(doc, p, o);
  requireState(p, 'Staged', 'schedule');
  const to = standbyColor(p)!;
  const g = Math.max(knownGeneration(p), o.statusGeneration ?? 0) + 1;
  const w = isoSeconds(o.at);
  doc.set(['spec', 'cutover'], new Flow({ generation: g, to, watermark: quoted(w) }), 'colors');
  return {
    step: 'schedule',
    title: `${name(p)}: schedule cutover #${g} ${p.spec.active} → ${to} at ${w}`,
    summary: [
      `Commits cutover #${g}: records with event time before ${w} are emitted by ${p.spec.active}, from ${w} on by ${to}.`,
      `That is ${formatDuration(o.at - o.now)} after ${isoSeconds(o.now)}; policy.minLeadTime is ${p.spec.policy.minLeadTime}.`,
      `The controller arms it once both gates prepared below the watermark (status ConfigMap ${name(p)}-cutover-status: Pending → Armed → Completed), or rejects it.`,
    ],
    next: `after Completed and ${p.spec.policy.teardownDelay} (policy.teardownDelay): flink-cutover teardown ${name(p)} --status status.yaml; if Rejected: schedule again with a later --at`,
  };
}

/** Cutover(g) → Steady(to): removes the old color, records generation g. */
export function teardown(doc: SpecEdit, p: Pipeline): PromotionOutcome {
  requireState(p, 'Cutover', 'teardown');
  const old = p.spec.active;
  const { to, generation: g } = p.spec.cutover!;
  doc.delete(['spec', 'colors', old]);
  doc.set(['spec', 'active'], to);
  doc.delete(['spec', 'cutover']);
  doc.set(['metadata', 'annotations', LAST_GENERATION_ANNOTATION], quoted(String(g)));
  return {
    step: 'teardown',
    title: `${name(p)}: tear down ${old} after cutover #${g}`,
    summary: [
      `Cutover #${g} handed the output from ${old} to ${to}; this removes ${old} (${p.metadata.name}-${old} FlinkDeployment) and makes ${to} the steady color.`,
      `Generation ${g} is kept in annotation ${LAST_GENERATION_ANNOTATION} so the next cutover uses a higher one.`,
    ],
    next: `the next upgrade: flink-cutover stage ${name(p)} --image ...`,
  };
}

/** Cutover(g) A→B → Cutover(g+1) B→A: hands the output back to the old color at W'. */
export function rollback(doc: SpecEdit, p: Pipeline, o: ScheduleOptions): PromotionOutcome {
  requireState(p, 'Cutover', 'rollback');
  const old = p.spec.active;
  const { to: current, generation } = p.spec.cutover!;
  const g = Math.max(knownGeneration(p), generation, o.statusGeneration ?? 0) + 1;
  const w = isoSeconds(o.at);
  doc.set(['spec', 'active'], current);
  doc.set(['spec', 'cutover'], new Flow({ generation: g, to: old, watermark: quoted(w) }), 'colors');
  return {
    step: 'rollback',
    title: `${name(p)}: roll back to ${old} (cutover #${g} at ${w})`,
    summary: [
      `Cutover #${generation} gave the output to ${current}; cutover #${g} gives it back to ${old}: records from ${w} on are emitted by ${old} again.`,
      `Both colors keep running; ${old} never stopped, so nothing is replayed.`,
    ],
    next: `after Completed: flink-cutover teardown ${name(p)} --status status.yaml (removes ${current})`,
  };
}

/** Staged → Steady: removes the standby color. */
export function abandon(doc: SpecEdit, p: Pipeline): PromotionOutcome {
  requireState(p, 'Staged', 'abandon');
  const standby = standbyColor(p)! as Color;
  doc.delete(['spec', 'colors', standby]);
  return {
    step: 'abandon',
    title: `${name(p)}: abandon standby ${standby}`,
    summary: [
      `Removes the standby color ${standby} (${effectiveSpec(p, standby).image ?? 'template image'}); ${p.spec.active} never stopped owning the output.`,
    ],
    next: `stage again when a fixed version is ready: flink-cutover stage ${name(p)} --image ...`,
  };
}

export interface CancelOptions {
  /** The controller's status for the pipeline (--status), when given. */
  status?: CutoverStatus;
  /** The person says the cutover is still Pending, without a status (--assume-pending). */
  assumePending?: boolean;
}

/**
 * Cutover(g) → Staged: withdraws a cutover the controller has not armed. The cutover block goes (the
 * desired ConfigMap says generation 0, and the controller writes Rejected: withdrawn); g is kept in
 * the last-generation annotation so the next schedule uses a higher one. Refused once the status
 * says Armed or Completed, and without a status unless --assume-pending.
 */
export function cancel(doc: SpecEdit, p: Pipeline, o: CancelOptions): PromotionOutcome {
  requireState(p, 'Cutover', 'cancel');
  const { to, generation: g, watermark } = p.spec.cutover!;
  const st = o.status;
  const rollbackFix = `an Armed cutover always completes: wait for Completed, then tear down (flink-cutover teardown ${name(p)} --status status.yaml) or hand the output back (flink-cutover rollback ${name(p)} --at +30m --status status.yaml)`;
  if (st && st.generation === g && (st.phase === 'Armed' || st.phase === 'Completed'))
    throw new PromotionRefused(
      `cutover #${g} of ${name(p)} is ${st.phase}; it can no longer be withdrawn`,
      rollbackFix,
    );
  if (st && st.generation > g)
    throw new PromotionRefused(
      `the status is for generation ${st.generation}, newer than the spec's cutover #${g}`,
      'pull the newest spec (git pull) and read the status again',
    );
  const known = st !== undefined && st.generation === g;
  if (!known && !o.assumePending)
    throw new PromotionRefused(
      `cancel withdraws cutover #${g} only when it is not Armed, and ${st ? `the status is for generation ${st.generation}, not #${g}` : 'no --status was given'}`,
      `pass --status with the ${name(p)}-cutover-status ConfigMap (kubectl get configmap ${name(p)}-cutover-status -o yaml > status.yaml), or --assume-pending when you know the controller has not armed it (the pull-request check then needs --status or --allow-unknown-status)`,
    );
  doc.delete(['spec', 'cutover']);
  doc.set(['metadata', 'annotations', LAST_GENERATION_ANNOTATION], quoted(String(g)));
  return {
    step: 'cancel',
    title: `${name(p)}: cancel cutover #${g} ${p.spec.active} → ${to}`,
    summary: [
      `Withdraws cutover #${g} (watermark ${watermark}): ${p.spec.active} keeps the output; ${to} stays staged and its gate holds all its output.`,
      known
        ? `The status says #${g} is ${st!.phase}; the controller records the withdrawal as Rejected (withdrawn).`
        : `Without a status (--assume-pending): merge only while the controller has not armed #${g}; the pull-request check refuses a withdrawal it cannot see the status of unless it runs with --status or --allow-unknown-status.`,
      `Generation ${g} is kept in annotation ${LAST_GENERATION_ANNOTATION} so the next cutover uses a higher one.`,
    ],
    next: `schedule again when ready (flink-cutover schedule ${name(p)} --at +${p.spec.policy.minLeadTime}), or abandon the standby (flink-cutover abandon ${name(p)})`,
  };
}
