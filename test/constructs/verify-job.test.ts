import { Chart, Testing } from 'cdk8s';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { VerifyJob, defaultVerifyImage } from '../../lib/constructs/verify-job.js';
import { validatePipelineObject } from '../../lib/spec/load.js';
import type { Pipeline } from '../../lib/spec/types.js';
import { parseSettingsJson } from '../../lib/verify/settings.js';
import { cutoverPipeline, stagedPipeline } from '../support/pipelines.js';
import type { VerifyJobProps } from '../../lib/constructs/verify-job.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function pipelineOf(spec: unknown): Pipeline {
  const r = validatePipelineObject(spec, 'test.yaml');
  expect(r.diagnostics).toEqual([]);
  return r.pipeline!;
}

function render(
  spec: unknown,
  props: Partial<VerifyJobProps> = {},
): { objects: Obj[]; construct: VerifyJob } {
  const chart = new Chart(Testing.app(), 'test');
  const construct = new VerifyJob(chart, 'verify', {
    pipeline: pipelineOf(spec),
    standby: 'green',
    hook: 'PostSync',
    ...props,
  });
  return { objects: Testing.synth(chart) as Obj[], construct };
}

function find(list: Obj[], kind: string): Obj {
  const o = list.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} in ${list.map((x) => x.kind).join(', ')}`);
  return o;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

describe('VerifyJob', () => {
  it('renders a Job, ServiceAccount, Role and RoleBinding named <name>-<standby>-verify', () => {
    const { objects } = render(stagedPipeline());
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'batch/v1 Job/orders-green-verify',
      'rbac.authorization.k8s.io/v1 Role/orders-green-verify',
      'rbac.authorization.k8s.io/v1 RoleBinding/orders-green-verify',
      'v1 ServiceAccount/orders-green-verify',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('streaming');
      expect(o.metadata.name).toMatch(DNS1123);
      expect(o.metadata.labels).toMatchObject({
        'flink-cutover.dev/pipeline': 'orders',
        'flink-cutover.dev/color': 'green',
        'app.kubernetes.io/component': 'verify',
        team: 'payments',
      });
      expect(o.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/hook': 'PostSync',
        'argocd.argoproj.io/hook-delete-policy':
          o.kind === 'Job'
            ? 'BeforeHookCreation,HookSucceeded'
            : 'BeforeHookCreation,HookSucceeded,HookFailed',
      });
    }
    // RBAC before the Job within the hook phase.
    expect(find(objects, 'Role').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(find(objects, 'Job').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
  });

  it('is a PreSync hook on the sync that carries a cutover', () => {
    const { objects } = render(cutoverPipeline(), { hook: 'PreSync' });
    for (const o of objects) expect(o.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
  });

  it('runs as non-root with a read-only root filesystem, no privilege escalation and resource limits', () => {
    const { objects } = render(stagedPipeline());
    const job = find(objects, 'Job');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('orders-green-verify');
    // The token only where the approval check reads the cutover ConfigMaps through the API.
    expect(pod.automountServiceAccountToken).toBe(false); // stagedPipeline() needs no approval
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 });
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    for (const q of [...Object.values(c.resources.requests), ...Object.values(c.resources.limits)])
      expect(q).toMatch(QUANTITY);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(20 * 60 + 120);
  });

  it('has the batch/v1 Job shape the API server requires', () => {
    const { objects } = render(stagedPipeline());
    const job = find(objects, 'Job');
    expect(Object.keys(job).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(
      Object.keys(job.spec).every((k) =>
        [
          'activeDeadlineSeconds',
          'backoffLimit',
          'completions',
          'parallelism',
          'selector',
          'manualSelector',
          'template',
          'ttlSecondsAfterFinished',
          'suspend',
          'podFailurePolicy',
          'completionMode',
          'backoffLimitPerIndex',
          'maxFailedIndexes',
          'podReplacementPolicy',
        ].includes(k),
      ),
    ).toBe(true);
    const pod = job.spec.template.spec;
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy); // a Job forbids Always
    const c = pod.containers[0];
    expect(c.name).toMatch(DNS1123);
    expect(typeof c.image).toBe('string');
    expect(c.command).toEqual(['flink-cutover']);
    expect(c.args.every((a: unknown) => typeof a === 'string')).toBe(true);
    for (const e of c.env ?? []) expect(Object.keys(e).sort()).toEqual(['name', 'value']);
    const labels = job.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(labels)) {
      expect(k.split('/').pop()!.length).toBeLessThanOrEqual(63);
      expect(String(v).length).toBeLessThanOrEqual(63);
    }
  });

  it('takes resources as props, sizes the Node heap to the memory limit, and stays a valid Kubernetes object', () => {
    const { objects } = render(stagedPipeline(), {
      resources: { cpuRequest: '0.1', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' },
    });
    const c = find(objects, 'Job').spec.template.spec.containers[0];
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1000m', memory: '1024Mi' },
    });
    expect(c.env).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' }]);
    expect(find(render(stagedPipeline()).objects, 'Job').spec.template.spec.containers[0].env).toEqual([
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=192' },
    ]);
    const models: Record<string, new (data: never) => { validate(): void }> = {
      Job: Job as never,
      Role: Role as never,
      RoleBinding: RoleBinding as never,
      ServiceAccount: ServiceAccount as never,
    };
    for (const o of objects) expect(() => new models[o.kind]!(o as never).validate(), o.kind).not.toThrow();
    expect(() => render(stagedPipeline(), { resources: { memoryLimit: '1G' } })).toThrow(
      'memory "1G" is not a quantity like 256Mi or 1Gi',
    );
  });

  it('uses the documented default image and accepts another', () => {
    expect(defaultVerifyImage()).toBe('ghcr.io/flink-cutover/flink-cutover:0.1.0');
    expect(find(render(stagedPipeline()).objects, 'Job').spec.template.spec.containers[0].image).toBe(
      defaultVerifyImage(),
    );
    const custom = render(stagedPipeline(), { image: 'reg.example/fc:dev' });
    expect(find(custom.objects, 'Job').spec.template.spec.containers[0].image).toBe('reg.example/fc:dev');
  });

  it("lets the Role read only this pipeline's two ConfigMaps", () => {
    const { objects } = render(stagedPipeline());
    const role = find(objects, 'Role');
    for (const rule of role.rules) {
      expect(rule.apiGroups).toEqual(['']);
      expect(rule.resources).toEqual(['configmaps']);
      expect([...rule.verbs].sort()).toEqual(['get', 'list', 'watch']);
      expect(rule.resourceNames.length).toBeGreaterThan(0);
    }
    expect(role.rules.flatMap((r: Obj) => r.resourceNames).sort()).toEqual([
      'orders-cutover',
      'orders-cutover-status',
    ]);
    const binding = find(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'orders-green-verify',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'orders-green-verify', namespace: 'streaming', apiGroup: '' },
    ]);
  });

  it('carries everything verify needs in its args, never a file from git', () => {
    const spec = cutoverPipeline((p) => {
      p.spec.validation = {
        minRunning: '5m',
        approval: true,
        http: [{ name: 'health', url: 'http://{{pipeline}}-{{color}}-svc/health' }],
      };
    });
    const { objects, construct } = render(spec, { hook: 'PreSync', restUrls: { green: 'http://g:8081' } });
    const args: string[] = find(objects, 'Job').spec.template.spec.containers[0].args;
    expect(args[0]).toBe('verify');
    expect(args).not.toContain('--spec');
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--configmap')).toBe('orders-cutover');
    expect(flag('--namespace')).toBe('streaming');
    expect(flag('--timeout')).toBe('15m');
    const settings = parseSettingsJson(flag('--validation-json')!);
    expect(settings).toEqual(construct.settings);
    expect(settings).toMatchObject({
      pipeline: 'orders',
      color: 'green',
      activeColor: 'blue',
      restUrl: 'http://g:8081',
      activeRestUrl: 'http://orders-blue-rest.streaming:8081',
      generation: 1,
    });
    expect(settings.validation.http[0]!.url).toBe('http://orders-green-svc/health');
  });

  it('refuses a Job name longer than 63 characters (its pods carry it as a label)', () => {
    const name = (n: number) => 'o'.repeat(n);
    expect(() => render(stagedPipeline((p) => void (p.metadata.name = name(50))))).not.toThrow();
    // The spec loader reports it with file and line; the construct still guards pipelines built in code.
    const valid = pipelineOf(stagedPipeline((p) => void (p.metadata.name = name(50))));
    const tooLong = { ...valid, metadata: { ...valid.metadata, name: name(51) } };
    expect(
      () =>
        new VerifyJob(new Chart(Testing.app(), 't'), 'verify', {
          pipeline: tooLong,
          standby: 'green',
          hook: 'PostSync',
        }),
    ).toThrow(
      `the Job name ${name(51)}-green-verify has 64 characters, more than the 63 Kubernetes allows for a Job; use a pipeline name of at most 50 characters`,
    );
  });

  it('times out late enough for the checkpoints too: max(minRunning, (minCompletedCheckpoints + 1) x interval) + 10m', () => {
    const withInterval = (interval: string | number) =>
      stagedPipeline((p) => {
        p.spec.template.flinkConfiguration['execution.checkpointing.interval'] = interval;
        p.spec.validation = { minRunning: '10m', minCompletedCheckpoints: 3 };
      });
    const timeout = (spec: unknown) => {
      const args: string[] = find(render(spec).objects, 'Job').spec.template.spec.containers[0].args;
      return args[args.indexOf('--timeout') + 1];
    };
    expect(timeout(withInterval('30s'))).toBe('20m');
    expect(timeout(withInterval('5 min'))).toBe('30m');
    expect(timeout(withInterval(600000))).toBe('50m');
    expect(timeout(withInterval('PT5M'))).toBe('20m'); // unreadable: the soak decides
  });

  it('refuses a standby the pipeline does not run', () => {
    expect(() => render(stagedPipeline(), { standby: 'blue' as const, hook: 'PostSync' })).not.toThrow();
    const steady = stagedPipeline((p) => void delete p.spec.colors.green);
    expect(() => render(steady)).toThrow('does not run green');
  });
});
