import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { FlinkBlueGreenPipeline } from '../../lib/constructs/pipeline.js';
import { renderPipeline } from '../../lib/constructs/render.js';
import { DiagnosticError } from '../../lib/spec/diagnostics.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function objects(spec: unknown): Obj[] {
  return renderPipeline(spec).manifests as Obj[];
}

function find(list: Obj[], kind: string, name: string): Obj {
  const o = list.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(`no ${kind}/${name} in ${list.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

function mainEnv(fd: Obj): Record<string, string> {
  const main = fd.spec.podTemplate.spec.containers.find((c: Obj) => c.name === 'flink-main-container');
  return Object.fromEntries(main.env.map((e: Obj) => [e.name, e.value]));
}

describe('FlinkBlueGreenPipeline', () => {
  it('renders one FlinkDeployment per color with stable names', () => {
    const list = objects(stagedPipeline());
    const fds = list.filter((o) => o.kind === 'FlinkDeployment');
    expect(fds.map((f) => f.metadata.name)).toEqual(['orders-blue', 'orders-green']);
    expect(
      fds.every((f) => f.apiVersion === 'flink.apache.org/v1beta1' && f.metadata.namespace === 'streaming'),
    ).toBe(true);
    expect(list.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/orders-cutover',
      'Role/orders-cutover-reader',
      'RoleBinding/orders-cutover-reader',
      'FlinkDeployment/orders-blue',
      'FlinkDeployment/orders-green',
      'ServiceAccount/orders-green-verify',
      'Role/orders-green-verify',
      'RoleBinding/orders-green-verify',
      'Job/orders-green-verify',
    ]);
  });

  it('labels every object with the pipeline, the color and app.kubernetes.io/*, keeping user labels', () => {
    const list = objects(stagedPipeline());
    for (const o of list) {
      expect(o.metadata.labels['flink-cutover.dev/pipeline']).toBe('orders');
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('flink-cutover');
      expect(o.metadata.labels['app.kubernetes.io/name']).toBe('orders');
      expect(o.metadata.labels.team).toBe('payments');
    }
    expect(find(list, 'FlinkDeployment', 'orders-green').metadata.labels['flink-cutover.dev/color']).toBe(
      'green',
    );
  });

  it('injects the cutover env into the main container, keeping existing containers and env', () => {
    const list = objects(
      stagedPipeline((p) => {
        p.spec.template.podTemplate = {
          spec: {
            containers: [
              { name: 'sidecar', image: 's' },
              { name: 'flink-main-container', env: [{ name: 'A', value: '1' }] },
            ],
          },
        };
      }),
    );
    const green = find(list, 'FlinkDeployment', 'orders-green');
    expect(mainEnv(green)).toEqual({
      A: '1',
      FLINK_CUTOVER_PIPELINE: 'orders',
      FLINK_CUTOVER_COLOR: 'green',
      FLINK_CUTOVER_CONFIGMAP: 'orders-cutover',
      FLINK_CUTOVER_STATUS_CONFIGMAP: 'orders-cutover-status',
    });
    expect(green.spec.podTemplate.spec.containers.map((c: Obj) => c.name)).toEqual([
      'sidecar',
      'flink-main-container',
    ]);
  });

  it('injects nothing into a gate: false color and keeps its name and spec', () => {
    const spec = steadyPipeline(
      (p) => (p.spec.colors.blue = { deploymentName: 'orders-legacy', gate: false }),
    );
    const fd = find(objects(spec), 'FlinkDeployment', 'orders-legacy');
    expect(fd.spec.podTemplate).toBeUndefined();
    expect(fd.spec.flinkConfiguration['state.checkpoints.dir']).toBe('s3://b/chk/orders/blue');
  });

  it("puts the standby color's initialSavepointPath into job.initialSavepointPath", () => {
    const list = objects(stagedPipeline());
    expect(find(list, 'FlinkDeployment', 'orders-green').spec.job.initialSavepointPath).toBe(
      's3://b/chk/orders/blue/chk-4711',
    );
    expect(find(list, 'FlinkDeployment', 'orders-blue').spec.job.initialSavepointPath).toBeUndefined();
  });

  it("copies the pipeline's annotations to every object, but not flink-cutover's own bookkeeping", () => {
    const list = objects(
      stagedPipeline(
        (p) => (p.metadata.annotations = { owner: 'team-a', 'flink-cutover.dev/last-generation': '4' }),
      ),
    );
    for (const o of list) {
      expect(o.metadata.annotations.owner).toBe('team-a');
      expect(o.metadata.annotations['flink-cutover.dev/last-generation']).toBeUndefined();
    }
  });

  it('orders sync waves: contract and RBAC before the jobs', () => {
    const list = objects(stagedPipeline());
    const wave = (o: Obj) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(find(list, 'ConfigMap', 'orders-cutover'))).toBe(-1);
    expect(wave(find(list, 'Role', 'orders-cutover-reader'))).toBe(-1);
    expect(wave(find(list, 'RoleBinding', 'orders-cutover-reader'))).toBe(-1);
    expect(wave(find(list, 'FlinkDeployment', 'orders-blue'))).toBe(0);
  });

  it('writes the handover contract into the cutover ConfigMap', () => {
    const cm = find(objects(cutoverPipeline()), 'ConfigMap', 'orders-cutover');
    // The controller selects the desired maps by this label alone.
    expect(cm.metadata.labels['flink-cutover.dev/role']).toBe('desired');
    expect(cm.data).toEqual({
      pipeline: 'orders',
      active: 'blue',
      generation: '1',
      to: 'green',
      watermark: String(Date.parse('2026-12-01T12:00:00Z')),
      lateness: '300000',
      gateMode: 'filter',
      'blue.restUrl': 'http://orders-blue-rest.streaming:8081',
      'green.restUrl': 'http://orders-green-rest.streaming:8081',
      'blue.gate': 'true',
      'green.gate': 'true',
    });
    const steady = find(objects(steadyPipeline()), 'ConfigMap', 'orders-cutover');
    expect(steady.data.generation).toBe('0');
    expect(steady.data.to).toBeUndefined();
    expect(steady.data.watermark).toBeUndefined();
  });

  it("grants the jobs' service accounts read access to exactly the two ConfigMaps", () => {
    const list = objects(stagedPipeline((p) => (p.spec.colors.green.serviceAccount = 'flink-v2')));
    const role = find(list, 'Role', 'orders-cutover-reader');
    const names = role.rules.flatMap((r: Obj) => r.resourceNames).sort();
    expect(names).toEqual(['orders-cutover', 'orders-cutover-status']);
    for (const r of role.rules) {
      expect(r.verbs.sort()).toEqual(['get', 'list', 'watch']);
      expect(r.resources).toEqual(['configmaps']);
      expect(r.apiGroups).toEqual(['']);
    }
    const binding = find(list, 'RoleBinding', 'orders-cutover-reader');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'orders-cutover-reader',
    });
    expect(binding.subjects.map((s: Obj) => `${s.kind}/${s.namespace}/${s.name}`).sort()).toEqual([
      'ServiceAccount/streaming/flink',
      'ServiceAccount/streaming/flink-v2',
    ]);
  });

  it("renders the standby's verify Job: none when steady, PostSync while staged, PreSync with a cutover", () => {
    const hook = (spec: unknown) =>
      objects(spec)
        .filter((o) => o.kind === 'Job')
        .map((j) => `${j.metadata.name}:${j.metadata.annotations['argocd.argoproj.io/hook']}`);
    expect(hook(steadyPipeline())).toEqual([]);
    expect(hook(stagedPipeline())).toEqual(['orders-green-verify:PostSync']);
    expect(hook(cutoverPipeline())).toEqual(['orders-green-verify:PreSync']);
    const rollback = cutoverPipeline((p) => {
      p.spec.active = 'green';
      p.spec.cutover = { generation: 2, to: 'blue', watermark: '2026-12-02T12:00:00Z' };
    });
    expect(hook(rollback)).toEqual(['orders-blue-verify:PreSync']);
    const chart = Testing.chart();
    new FlinkBlueGreenPipeline(chart, 'x', { spec: stagedPipeline(), verify: false });
    expect(Testing.synth(chart).some((o: Obj) => o.kind === 'Job')).toBe(false);
  });

  it('never renders the controller-owned status ConfigMap', () => {
    expect(objects(cutoverPipeline()).some((o) => o.metadata.name === 'orders-cutover-status')).toBe(false);
  });

  it('renders the same bytes twice', () => {
    expect(renderPipeline(cutoverPipeline()).yaml).toBe(renderPipeline(cutoverPipeline()).yaml);
  });

  it('applies env added after construction (lazy)', () => {
    const chart = Testing.chart();
    const c = new FlinkBlueGreenPipeline(chart, 'orders', { spec: stagedPipeline() });
    c.deployments.green!.addEnv('EXTRA', 'x');
    const green = Testing.synth(chart).find((o: Obj) => o.metadata.name === 'orders-green');
    expect(mainEnv(green).EXTRA).toBe('x');
    expect(() =>
      new FlinkBlueGreenPipeline(Testing.chart(), 'a', {
        spec: steadyPipeline((p) => (p.spec.colors.blue.gate = false)),
      }).deployments.blue!.addEnv('X', 'y'),
    ).toThrow(/adopted/);
  });

  it('throws a DiagnosticError for an invalid spec', () => {
    expect(
      () =>
        new FlinkBlueGreenPipeline(Testing.chart(), 'x', {
          spec: steadyPipeline((p) => (p.spec.gate.mode = 'nope')),
        }),
    ).toThrow(DiagnosticError);
  });

  it('passes its composition validation and reports state and standby', () => {
    const chart = Testing.chart();
    const c = new FlinkBlueGreenPipeline(chart, 'orders', { spec: stagedPipeline() });
    expect(c.node.validate()).toEqual([]);
    expect(c.state).toBe('Staged');
    expect(c.standby).toBe('green');
  });
});
