import { effectiveSpec, flattenFlinkConfiguration, lifecycleState } from '../../spec/effective.js';
import type { Color, Json, Pipeline } from '../../spec/types.js';
import { configPointer } from '../config.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

/** flinkConfiguration prefixes the operator applies without restarting the job. */
export const NO_RESTART_CONFIG_PREFIXES = ['kubernetes.operator.', 'job.autoscaler.'];
/**
 * job fields whose change does not upgrade a running job: the snapshot-trigger nonces, and the
 * fields the operator's JobSpec marks `@SpecDiff(DiffType.IGNORE)` (initialSavepointPath is read
 * only at first deployment; upgradeMode and allowNonRestoredState only at the next upgrade).
 */
export const NO_RESTART_JOB_FIELDS = [
  'savepointTriggerNonce',
  'checkpointTriggerNonce',
  'autoscalerResetNonce',
  'initialSavepointPath',
  'upgradeMode',
  'allowNonRestoredState',
];

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf-level differences of two JSON values, as dotted paths (flinkConfiguration compared flattened). */
function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      diff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push(path);
}

/** The restart-relevant form of a color: effective spec minus what the operator applies live, plus deploymentName and gate. */
export function restartRelevant(
  p: Pipeline,
  c: Color,
): { spec: Record<string, unknown>; conf: Record<string, string>; ignored: Record<string, string> } {
  const eff = effectiveSpec(p, c) as unknown as Record<string, unknown>;
  const flat = flattenFlinkConfiguration(eff.flinkConfiguration as never);
  const conf: Record<string, string> = {};
  const ignored: Record<string, string> = {};
  for (const [k, v] of Object.entries(flat))
    (NO_RESTART_CONFIG_PREFIXES.some((pre) => k.startsWith(pre)) ? ignored : conf)[k] = v;
  const job = isObject(eff.job) ? { ...eff.job } : undefined;
  if (job) {
    for (const f of NO_RESTART_JOB_FIELDS) {
      if (job[f] !== undefined) ignored[`job.${f}`] = JSON.stringify(job[f]);
      delete job[f];
    }
  }
  const spec: Record<string, unknown> = {
    ...eff,
    job,
    flinkConfiguration: undefined,
    deploymentName: p.spec.colors[c]?.deploymentName ?? null,
    gate: p.spec.colors[c]?.gate ?? true,
  };
  return { spec, conf, ignored };
}

/** Colors whose restart would interrupt the output at base: the active one, and the target of a cutover. */
export function outputColors(p: Pipeline): Color[] {
  const out: Color[] = [p.spec.active];
  if (lifecycleState(p) === 'Cutover') out.push(p.spec.cutover!.to);
  return out;
}

function pointerOf(head: Pipeline, c: Color, path: string): string {
  if (path.startsWith('flinkConfiguration.'))
    return configPointer(head, c, path.slice('flinkConfiguration.'.length));
  const segs = path.split('.');
  const own = head.spec.colors[c] as Record<string, unknown> | undefined;
  if (own && own[segs[0]!] !== undefined) return `/spec/colors/${c}/${segs.join('/')}`;
  if (segs[0] === 'deploymentName' || segs[0] === 'gate') return `/spec/colors/${c}`;
  return `/spec/template/${segs.join('/')}`;
}

/** The fix that names the decommission sequence (README "Decommissioning a pipeline"). */
export const DECOMMISSION_FIX =
  'to decommission a pipeline: in one pull request set only job.state: suspended and job.upgradeMode: savepoint on the active color (the operator takes a savepoint and stops the job; nothing else may change and no cutover may be open), then delete the file in the next pull request';

/**
 * Judges a suspension of the active color: `null` when it is the legal first decommission step
 * (base and head Steady on the same color, only job.state changes to suspended, upgradeMode
 * savepoint at head), else the finding explaining what is missing.
 */
function decommissionStep(
  base: Pipeline,
  head: Pipeline,
  c: Color,
  changed: readonly string[],
): { at: string; message: string; fix: string } | null {
  const statePointer = pointerOf(head, c, 'job.state');
  const open =
    lifecycleState(base) !== 'Steady' ? base : lifecycleState(head) !== 'Steady' ? head : undefined;
  if (open) {
    return {
      at: statePointer,
      message: `suspends ${c}, which owns the output, while the pipeline is ${lifecycleState(open)} (at ${open === base ? 'base' : 'head'}): a pipeline is suspended only when steady, with no standby and no cutover open`,
      fix: `finish (teardown) or abandon the promotion first, then ${DECOMMISSION_FIX.replace(/^to decommission a pipeline: /, '')}`,
    };
  }
  const others = changed.filter((k) => k !== 'job.state');
  if (others.length > 0) {
    return {
      at: pointerOf(head, c, others[0]!),
      message: `suspends ${c}, the active color, and also changes ${others.join(', ')}: a suspension is a decommission step of its own`,
      fix: `revert ${others.join(', ')}; ${DECOMMISSION_FIX}`,
    };
  }
  const mode = effectiveSpec(head, c).job?.upgradeMode ?? 'stateless';
  if (mode !== 'savepoint') {
    return {
      at: statePointer,
      message: `suspends ${c} with job.upgradeMode ${mode}: the operator would stop it without taking a savepoint, and its state would be lost with the file`,
      fix: `set job.upgradeMode: savepoint together with job.state: suspended; ${DECOMMISSION_FIX}`,
    };
  }
  return null;
}

export const activeSpecChanged: Rule = {
  id: 'active-spec-changed',
  severity: 'error',
  summary: 'The effective spec of the color that owns the output changed (it would restart).',
  doc: `Changing the effective FlinkDeployment spec of the color that owns the output (the active color; during a cutover also the color taking over) makes the operator upgrade it: savepoint, stop, restart, which is exactly the output stall blue/green exists to avoid. Template edits count too, because the template is merged into every color. Changes the operator applies without a restart do not count: flinkConfiguration keys under ${NO_RESTART_CONFIG_PREFIXES.map((p) => `\`${p}*\``).join(' and ')}, and job.${NO_RESTART_JOB_FIELDS.join(', job.')}. The one exception is the first step of decommissioning a steady pipeline: setting only job.state: suspended with job.upgradeMode: savepoint on the active color (the operator takes a savepoint and stops the job; the file is then deleted in the next pull request, see pipeline-removed). To change the running job, stage a new standby color with the change (\`flink-cutover stage --set k=v\`) and cut over to it; to change only the standby, move the field into the standby's color entry.`,
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!base || !head || pair.transition.illegal) return [];
    const out: Finding[] = [];
    for (const c of outputColors(base.pipeline)) {
      if (!head.pipeline.spec.colors[c] || !base.pipeline.spec.colors[c]) continue;
      const a = restartRelevant(base.pipeline, c);
      const b = restartRelevant(head.pipeline, c);
      const changed: string[] = [];
      diff(a.spec, b.spec, '', changed);
      for (const k of new Set([...Object.keys(a.conf), ...Object.keys(b.conf)]))
        if (a.conf[k] !== b.conf[k]) changed.push(`flinkConfiguration.${k}`);
      if (changed.length === 0) continue;
      const suspends =
        changed.includes('job.state') &&
        effectiveSpec(base.pipeline, c).job?.state !== 'suspended' &&
        effectiveSpec(head.pipeline, c).job?.state === 'suspended';
      const decommission = suspends ? decommissionStep(base.pipeline, head.pipeline, c, changed) : undefined;
      if (decommission === null) continue; // the first step of the decommission sequence
      if (decommission) {
        out.push(findingAt(activeSpecChanged, head, decommission.at, decommission.message, decommission.fix));
        continue;
      }
      const live = Object.keys({ ...a.ignored, ...b.ignored }).filter((k) => a.ignored[k] !== b.ignored[k]);
      const note = live.length > 0 ? ` (also changed, applied without restart: ${live.join(', ')})` : '';
      const role =
        c === base.pipeline.spec.active
          ? 'active color'
          : `color taking over in cutover #${base.pipeline.spec.cutover?.generation}`;
      out.push(
        findingAt(
          activeSpecChanged,
          head,
          pointerOf(head.pipeline, c, changed[0]!),
          `the effective spec of ${c}, the ${role}, changes (${changed.join(', ')}): the operator would restart it and stall the output${note}`,
          `revert these fields for ${c}; to roll them out, stage them on the standby color (flink-cutover stage --set ...) and cut over`,
        ),
      );
    }
    return out;
  },
};
