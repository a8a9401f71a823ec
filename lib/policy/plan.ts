import { renderPipeline } from '../constructs/render.js';
import { humanDuration } from '../spec/duration.js';
import { effectiveSpec, standbyColor } from '../spec/effective.js';
import type { Pipeline } from '../spec/types.js';
import { otherColor } from '../spec/types.js';
import type { Step } from './transition.js';
import type { PipelinePair } from './types.js';
import { isoSeconds } from './time.js';

/** One rendered object's change between base and head. */
export interface ObjectChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** For `changed`: the top-level fields that differ (e.g. spec, metadata, data). */
  readonly fields?: string[];
}

export interface PipelinePlan {
  readonly pipeline: string;
  readonly key: string;
  readonly steps: Step[];
  /** The step(s) in plain words. */
  readonly description: string;
  readonly objects: ObjectChange[];
  /** Set when a side could not be rendered. */
  readonly renderError?: string;
}

function image(p: Pipeline, c: 'blue' | 'green'): string {
  return effectiveSpec(p, c).image ?? '(template image)';
}

/** The step(s) of a pair in plain words. */
export function describeStep(pair: PipelinePair, now: number): string {
  const n = pair.name;
  const b = pair.base?.pipeline;
  const h = pair.head?.pipeline;
  if (pair.transition.illegal)
    return `${n}: not a lifecycle step: ${pair.transition.illegal} (check refuses it)`;
  const standby = (p: Pipeline | undefined) => (p ? standbyColor(p) : undefined);
  const words = pair.transition.steps.map((s): string => {
    switch (s) {
      case 'create':
        return `new pipeline, ${h!.spec.cutover ? 'cutting over' : `steady on ${h!.spec.active}`} (${image(h!, h!.spec.active)})`;
      case 'remove':
        return 'remove the pipeline (its FlinkDeployments are pruned)';
      case 'stage': {
        const s2 = standby(h) ?? otherColor(b!.spec.active);
        const from = h?.spec.colors[s2]?.initialSavepointPath;
        if (!h?.spec.colors[s2]) return `stage ${s2}`;
        const keeps =
          b && h.spec.active === b.spec.active && !h.spec.cutover
            ? `; ${h.spec.active} (${image(h, h.spec.active)}) keeps the output`
            : '';
        return `stage ${s2} (${image(h, s2)})${from ? ` from ${from}` : ''}${keeps}`;
      }
      case 'restage': {
        const s2 = standby(b)!;
        return `change the standby ${s2} (${image(b!, s2)} → ${h!.spec.colors[s2] ? image(h!, s2) : 'removed'})`;
      }
      case 'schedule':
      case 'reschedule':
      case 'rollback': {
        const c = h!.spec.cutover;
        const verb =
          s === 'schedule'
            ? 'schedule cutover'
            : s === 'reschedule'
              ? 'reschedule as cutover'
              : 'roll back with cutover';
        if (!c) return `${verb} to ${h!.spec.active}`;
        const w = Date.parse(c.watermark);
        const rel = w >= now ? `${humanDuration(w - now)} after now` : `${humanDuration(now - w)} before now`;
        // In UTC, as every other time a person reads; the spec's own spelling beside it when it differs.
        const utc = Number.isNaN(w) ? c.watermark : isoSeconds(w);
        const at = utc === c.watermark ? utc : `${utc} (${c.watermark} in the spec)`;
        return `${verb} #${c.generation} ${h!.spec.active} → ${c.to} at ${at}, ${rel}`;
      }
      case 'unschedule':
        return `withdraw cutover #${b!.spec.cutover?.generation ?? '?'}`;
      case 'teardown': {
        const old = b!.spec.cutover ? b!.spec.active : otherColor(h!.spec.active);
        return `tear down ${old}${b!.spec.cutover ? ` after cutover #${b!.spec.cutover.generation}` : ''}; ${h!.spec.active} (${image(h!, h!.spec.active)}) is ${h!.spec.cutover ? 'active' : 'steady'}`;
      }
      case 'abandon': {
        const s2 = standby(b) ?? otherColor(b!.spec.active);
        return `abandon the standby ${s2}${b!.spec.colors[s2] ? ` (${image(b!, s2)})` : ''}`;
      }
    }
  });
  if (words.length === 0) return `${n}: no lifecycle step`;
  return `${n}: ${words.join(', then ')}${words.length > 1 ? ' (more than one step: check refuses it)' : ''}`;
}

type Obj = { kind?: string; metadata?: { name?: string; namespace?: string } } & Record<string, unknown>;

function objKey(o: Obj): string {
  return `${o.kind ?? '?'}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? '?'}`;
}

/** Compares rendered objects by kind, namespace and name. */
export function diffObjects(
  base: readonly Record<string, unknown>[],
  head: readonly Record<string, unknown>[],
): ObjectChange[] {
  const b = new Map(base.map((o) => [objKey(o as Obj), o as Obj]));
  const h = new Map(head.map((o) => [objKey(o as Obj), o as Obj]));
  const out: ObjectChange[] = [];
  const id = (o: Obj) => ({
    kind: o.kind ?? '?',
    name: o.metadata?.name ?? '?',
    ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  });
  for (const [k, o] of h) {
    const prev = b.get(k);
    if (!prev) out.push({ change: 'added', ...id(o) });
    else {
      const fields = [...new Set([...Object.keys(prev), ...Object.keys(o)])].filter(
        (f) => JSON.stringify(prev[f]) !== JSON.stringify(o[f]),
      );
      if (fields.length > 0) out.push({ change: 'changed', ...id(o), fields });
    }
  }
  for (const [k, o] of b) if (!h.has(k)) out.push({ change: 'removed', ...id(o) });
  return out;
}

function render(p: Pipeline | undefined): Record<string, unknown>[] {
  return p ? renderPipeline(p).manifests : [];
}

function samePipeline(a: Pipeline | undefined, b: Pipeline | undefined): boolean {
  return a !== undefined && b !== undefined && (a === b || JSON.stringify(a) === JSON.stringify(b));
}

/** The plan of every pipeline pair: its step in words and the rendered objects that change. */
export function planPairs(pairs: readonly PipelinePair[], now: number): PipelinePlan[] {
  return pairs.map((pair) => {
    let objects: ObjectChange[] = [];
    let renderError: string | undefined;
    try {
      // Rendering is a function of the spec alone: the same spec at base and head changes nothing.
      if (!samePipeline(pair.base?.pipeline, pair.head?.pipeline))
        objects = diffObjects(render(pair.base?.pipeline), render(pair.head?.pipeline));
    } catch (err) {
      renderError = (err as Error).message;
    }
    return {
      pipeline: pair.name,
      key: pair.key,
      steps: pair.transition.steps,
      description: describeStep(pair, now),
      objects,
      ...(renderError ? { renderError } : {}),
    };
  });
}

/** Text form of a plan. */
export function formatPlan(plans: readonly PipelinePlan[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    if (
      p.steps.length === 0 &&
      p.objects.length === 0 &&
      !p.renderError &&
      !p.description.includes('not a lifecycle step')
    )
      continue;
    lines.push(p.description);
    for (const o of p.objects) {
      const sign = o.change === 'added' ? '+' : o.change === 'removed' ? '-' : '~';
      const what = o.change === 'changed' ? ` (${o.fields!.join(', ')} changed)` : ` (${o.change})`;
      lines.push(`  ${sign} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${what}`);
    }
    if (p.renderError) lines.push(`  cannot render: ${p.renderError}`);
    lines.push('');
  }
  if (lines.length === 0) return 'no pipeline changes\n';
  return lines.join('\n');
}
