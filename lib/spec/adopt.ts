import type { Json, JsonObject } from './types.js';
import { API_VERSION, KIND } from './types.js';

/** What adopting one manifest document gave. */
export type AdoptOutcome =
  | {
      kind: 'pipeline';
      source: string;
      spec: JsonObject;
      /** What was done (info). */
      notes: string[];
      /** What the user must act on before the spec can be trusted (printed as warnings). */
      warnings: string[];
      /** JSON pointer, in the manifest object, of what became `spec.template` (to map positions back). */
      templatePointer: string;
    }
  | { kind: 'skipped'; source: string; reason: string }
  /** `usage`: the invocation lacks something (a flag), not the manifest. */
  | { kind: 'error'; source: string; message: string; fix: string; usage?: boolean };

export interface AdoptOptions {
  /** Pipeline name (default: derived from the deployment's name). */
  readonly name?: string;
  /** Namespace for a manifest that names none (`--namespace`); must match one that it names. */
  readonly namespace?: string;
}

/** Rules that read `spec.sources` / `spec.sinks` and so see nothing while they are empty. */
export const EMPTY_IO_WARNING =
  'spec.sources and spec.sinks are empty: the isolation checks shared-consumer-group and shared-transactional-id then see only what flinkConfiguration and job args name, and non-replayable-source and source-quota see nothing; fill in spec.sources (name, kind, consumerGroup: "<group>-{{color}}") and spec.sinks (name, kind, deliveryGuarantee, transactionalIdPrefix: "<prefix>-{{color}}") with what the job reads and writes';

function namespaceOf(
  source: string,
  written: unknown,
  option: string | undefined,
): { namespace?: string; error?: { message: string; fix: string; usage: true } } {
  const inManifest = typeof written === 'string' && written !== '' ? written : undefined;
  if (inManifest && option && option !== inManifest)
    return {
      error: {
        message: `--namespace ${option} differs from the metadata.namespace of ${source} (${inManifest}): adopting keeps the running job where it is`,
        fix: `drop --namespace, or pass --namespace ${inManifest}`,
        usage: true,
      },
    };
  const namespace = inManifest ?? option;
  if (!namespace)
    return {
      error: {
        message: `${source} names no metadata.namespace, and a pipeline spec needs one`,
        fix: 'pass --namespace <ns>: the namespace the deployment runs in (kubectl get flinkdeployments -A shows it)',
        usage: true,
      },
    };
  return { namespace };
}

/** How to delete a FlinkBlueGreenDeployment without deleting the child that was adopted. */
export function orphanDeletionNote(name: string, namespace: string, child: string): string {
  return [
    `before removing FlinkBlueGreenDeployment ${name}: the operator made it the owner of ${child} (ownerReferences), so deleting it with the default cascading deletion garbage-collects ${child}, the job just adopted. Once the new spec is synced, delete ${name} without cascading:`,
    `    kubectl delete flinkbluegreendeployment ${name} -n ${namespace} --cascade=orphan`,
    `  If Argo CD manages ${name}, removing it from git makes Argo CD prune it with a cascading (foreground) deletion, and deleting its Application deletes it too. Either first annotate it with argocd.argoproj.io/sync-options: Prune=false,Delete=false (Prune=false: not pruned when removed from git; Delete=false: kept when the Application is deleted), sync, remove it from git and run the kubectl command above; or remove it from the Application without cascading: argocd app delete-resource <app> --kind FlinkBlueGreenDeployment --resource-name ${name} --namespace ${namespace} --orphan.`,
  ].join('\n');
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
  namespace: string,
  labels: Json | undefined,
  annotations: Json | undefined,
  active: 'blue' | 'green',
  deploymentName: string,
  template: JsonObject,
): JsonObject {
  const metadata: JsonObject = { name, namespace };
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
 *
 * The namespace is the manifest's, else `options.namespace`; with neither (or two that differ)
 * the outcome is a usage error. Warnings: empty sources/sinks, and for a FlinkBlueGreenDeployment
 * how to delete it without garbage-collecting the adopted child.
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
    const ns = namespaceOf(source, meta.namespace, options.namespace);
    if (ns.error) return { kind: 'error', source, ...ns.error };
    const notes = [
      `adopted ${source} as color blue (gate: false: nothing is injected; a cutover from it is at-least-once)`,
    ];
    return {
      kind: 'pipeline',
      source,
      templatePointer: '/spec',
      warnings: [EMPTY_IO_WARNING],
      spec: buildSpec(
        n.name!,
        ns.namespace!,
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
    const ns = namespaceOf(source, meta.namespace, options.namespace);
    if (ns.error) return { kind: 'error', source, ...ns.error };
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
      templatePointer: '/spec/template/spec',
      warnings: [EMPTY_IO_WARNING, orphanDeletionNote(objName, ns.namespace!, `${objName}-${active}`)],
      spec: buildSpec(
        n.name!,
        ns.namespace!,
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
