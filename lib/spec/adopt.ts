import type { Json, JsonObject } from './types.js';
import { API_VERSION, KIND } from './types.js';

/** What adopting one manifest document gave. */
export type AdoptOutcome =
  | { kind: 'pipeline'; source: string; spec: JsonObject; notes: string[] }
  | { kind: 'skipped'; source: string; reason: string }
  | { kind: 'error'; source: string; message: string; fix: string };

export interface AdoptOptions {
  /** Pipeline name (default: derived from the deployment's name). */
  readonly name?: string;
}

const NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_PIPELINE_NAME = 52;

/** Which child serves while the native deployment is in each state. */
const ACTIVE_CHILD: Record<string, 'blue' | 'green'> = {
  ACTIVE_BLUE: 'blue',
  INITIALIZING_BLUE: 'blue',
  SAVEPOINTING_BLUE: 'blue',
  TRANSITIONING_TO_GREEN: 'blue',
  ACTIVE_GREEN: 'green',
  SAVEPOINTING_GREEN: 'green',
  TRANSITIONING_TO_BLUE: 'green',
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(doc: JsonObject): string {
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  return `${typeof doc.kind === 'string' ? doc.kind : '(no kind)'} ${typeof meta.name === 'string' ? meta.name : '(no name)'}`;
}

/** Labels and annotations worth carrying over (not kubectl's bookkeeping). */
function carried(map: Json | undefined): Record<string, string> | undefined {
  if (!isObject(map)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (k.startsWith('kubectl.kubernetes.io/')) continue;
    if (typeof v === 'string') out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function pipelineName(
  requested: string | undefined,
  derived: string,
  what: string,
): { name?: string; error?: { message: string; fix: string } } {
  const name = requested ?? derived;
  if (!NAME_RE.test(name) || name.length > MAX_PIPELINE_NAME) {
    return {
      error: {
        message: `${requested ? `--name "${name}"` : `the pipeline name "${name}" derived from ${what}`} is not a valid pipeline name (a DNS-1035 label of at most ${MAX_PIPELINE_NAME} characters)`,
        fix: 'pass --name with lowercase letters, digits and "-", starting with a letter, at most 52 characters',
      },
    };
  }
  return { name };
}

function buildSpec(
  name: string,
  namespace: unknown,
  labels: Json | undefined,
  annotations: Json | undefined,
  active: 'blue' | 'green',
  deploymentName: string,
  template: JsonObject,
): JsonObject {
  const metadata: JsonObject = { name };
  if (typeof namespace === 'string') metadata.namespace = namespace;
  const l = carried(labels);
  if (l) metadata.labels = l;
  const a = carried(annotations);
  if (a) metadata.annotations = a;
  const color: JsonObject = { deploymentName, gate: false };
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata,
    spec: { active, colors: { [active]: color }, template, sources: [], sinks: [] },
  };
}

/**
 * Turns one manifest document into a steady-state BlueGreenPipeline spec that adopts the running
 * job without restarting it: the deployment's spec becomes the template verbatim, and the color
 * records the existing name (`deploymentName`) and `gate: false`, so the rendered FlinkDeployment
 * is the same object with the same spec.
 *
 * - `FlinkDeployment` with a job: adopted as blue.
 * - `FlinkDeployment` without a job (a session cluster): an error, it cannot be blue/greened.
 * - `FlinkBlueGreenDeployment` (the operator's native one): its `template.spec` becomes the
 *   template; its active child (`<name>-blue` or `<name>-green`, from `status.blueGreenState`,
 *   blue when unknown) is adopted under its name.
 * - Anything else: skipped.
 */
export function adoptManifest(doc: unknown, options: AdoptOptions = {}): AdoptOutcome {
  if (!isObject(doc)) return { kind: 'skipped', source: '(not a map)', reason: 'not a Kubernetes object' };
  const source = describe(doc);
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  if (!apiVersion.startsWith('flink.apache.org/'))
    return { kind: 'skipped', source, reason: 'not a Flink operator resource' };
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const objName = typeof meta.name === 'string' ? meta.name : undefined;
  if (!objName)
    return { kind: 'error', source, message: `${source} has no metadata.name`, fix: 'name the resource' };

  if (doc.kind === 'FlinkDeployment') {
    const spec = isObject(doc.spec) ? doc.spec : undefined;
    if (!spec)
      return {
        kind: 'error',
        source,
        message: `${source} has no spec`,
        fix: 'adopt a complete FlinkDeployment manifest',
      };
    if (!isObject(spec.job)) {
      return {
        kind: 'error',
        source,
        message: `${source} is a session cluster (no spec.job): there is no job to run blue/green`,
        fix: 'adopt an application deployment (one with spec.job), or move the job into one first',
      };
    }
    const derived = objName.replace(/-(blue|green)$/, '');
    const n = pipelineName(options.name, derived, `FlinkDeployment ${objName}`);
    if (n.error) return { kind: 'error', source, ...n.error };
    const notes = [
      `adopted ${source} as color blue (gate: false: nothing is injected; a cutover from it is at-least-once)`,
    ];
    return {
      kind: 'pipeline',
      source,
      spec: buildSpec(
        n.name!,
        meta.namespace,
        meta.labels,
        meta.annotations,
        'blue',
        objName,
        JSON.parse(JSON.stringify(spec)) as JsonObject,
      ),
      notes,
    };
  }

  if (doc.kind === 'FlinkBlueGreenDeployment') {
    const bg = isObject(doc.spec) ? doc.spec : {};
    const template = isObject(bg.template) ? bg.template : {};
    const spec = isObject(template.spec) ? template.spec : undefined;
    if (!spec)
      return {
        kind: 'error',
        source,
        message: `${source} has no spec.template.spec`,
        fix: 'adopt a complete FlinkBlueGreenDeployment manifest',
      };
    if (!isObject(spec.job)) {
      return {
        kind: 'error',
        source,
        message: `${source} runs no job (template.spec.job missing): a session cluster cannot be blue/greened`,
        fix: 'give the template a job',
      };
    }
    const status = isObject(doc.status) ? doc.status : {};
    const state = typeof status.blueGreenState === 'string' ? status.blueGreenState : '';
    const active = ACTIVE_CHILD[state] ?? 'blue';
    const n = pipelineName(options.name, objName, `FlinkBlueGreenDeployment ${objName}`);
    if (n.error) return { kind: 'error', source, ...n.error };
    const tmeta = isObject(template.metadata) ? template.metadata : {};
    const labels = { ...(carried(meta.labels) ?? {}), ...(carried(tmeta.labels) ?? {}) };
    const annotations = { ...(carried(meta.annotations) ?? {}), ...(carried(tmeta.annotations) ?? {}) };
    const notes = [
      `migrated ${source}: its active child ${objName}-${active} is adopted as color ${active} (gate: false)`,
    ];
    if (bg.configuration !== undefined)
      notes.push(
        `dropped spec.configuration (the operator's blue/green settings): flink-cutover's policy block replaces them`,
      );
    if (bg.ingress !== undefined)
      notes.push('dropped spec.ingress: set template.ingress if the job needs one');
    if (!state)
      notes.push(
        'no status.blueGreenState in the manifest: assumed the blue child is active; check it with kubectl before syncing',
      );
    return {
      kind: 'pipeline',
      source,
      spec: buildSpec(
        n.name!,
        meta.namespace,
        labels,
        annotations,
        active,
        `${objName}-${active}`,
        JSON.parse(JSON.stringify(spec)) as JsonObject,
      ),
      notes,
    };
  }
  return { kind: 'skipped', source, reason: `${String(doc.kind)} is not a FlinkDeployment` };
}
