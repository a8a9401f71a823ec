import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { renderPipeline } from '../../lib/constructs/render.js';
import { adoptManifest } from '../../lib/spec/adopt.js';
import { loadPipelineText } from '../../lib/spec/load.js';
import { normalizeFlinkConfiguration } from '../../lib/spec/flink-configuration.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/pipelines.js';
import { describeWithReference, readReference, referencePath } from '../support/reference.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fd = (spec: Obj, name = 'legacy-orders', extra: Obj = {}) => ({
  apiVersion: 'flink.apache.org/v1beta1',
  kind: 'FlinkDeployment',
  metadata: { name, namespace: 'streaming', ...extra },
  spec,
});
const jobSpec = {
  image: 'flink:1.20',
  flinkVersion: 'v1_20',
  serviceAccount: 'flink',
  job: { jarURI: 'local:///x.jar', parallelism: 2, upgradeMode: 'savepoint' },
};

describeWithReference('init --from on the operator examples', () => {
  const examples = readdirSync(referencePath('flink-examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of examples) {
    it(`${file}: adopts without a restart (same name, same spec)`, async () => {
      const r = await runCli([
        'init',
        '--from',
        referencePath(`flink-examples/${file}`),
        '--namespace',
        'default',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const loaded = loadPipelineText(`${file} (adopted)`, r.stdout);
      expect(loaded.diagnostics).toEqual([]);
      const originals = (
        parseAllDocuments(readReference(`flink-examples/${file}`)) as unknown as { toJS(): Obj }[]
      )
        .map((d) => d.toJS())
        .filter((o) => o?.kind === 'FlinkDeployment');
      expect(loaded.pipelines).toHaveLength(originals.length);
      loaded.pipelines.forEach((lp, i) => {
        const original = originals[i]!;
        expect(lp.pipeline.spec.colors.blue).toEqual({ deploymentName: original.metadata.name, gate: false });
        const rendered = renderPipeline(lp.pipeline).manifests.filter(
          (m) => m.kind === 'FlinkDeployment',
        ) as Obj[];
        expect(rendered).toHaveLength(1);
        expect(rendered[0]!.metadata.name).toBe(original.metadata.name);
        // The operator compares flinkConfiguration flattened to dotted keys (its ConfigObjectNode's
        // flat map), so the nested form in the source and the dotted form rendered are the same spec.
        const flat = (spec: Obj) => ({
          ...spec,
          flinkConfiguration: normalizeFlinkConfiguration(spec.flinkConfiguration).configuration,
        });
        expect(flat(rendered[0]!.spec)).toEqual(flat(original.spec));
      });
    });
  }

  it('says what it skipped in a multi-document file', async () => {
    const r = await runCli([
      'init',
      '--from',
      referencePath('flink-examples/job-from-savepoint.yaml'),
      '--namespace',
      'default',
    ]);
    expect(r.stderr).toContain('skipped FlinkStateSnapshot example-savepoint');
  });
});

describe('init --from', () => {
  it('refuses a session cluster with exit 1', async () => {
    const dir = tempDir({ 'session.yaml': fd({ image: 'flink:1.20', flinkVersion: 'v1_20' }, 'session') });
    const r = await runCli(['init', '--from', 'session.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('session cluster');
    expect(r.stdout).toBe('');
  });

  it('keeps namespace and labels, drops kubectl bookkeeping, honours --name', async () => {
    const dir = tempDir({
      'd.yaml': fd(jobSpec, 'legacy-orders', {
        labels: { team: 'x' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', owner: 'me' },
      }),
    });
    const r = await runCli(['init', '--from', 'd.yaml', '--name', 'orders'], { cwd: dir });
    expect(r.code).toBe(0);
    const spec = parse(r.stdout);
    expect(spec.metadata).toEqual({
      name: 'orders',
      namespace: 'streaming',
      labels: { team: 'x' },
      annotations: { owner: 'me' },
    });
    expect(spec.spec.colors.blue).toEqual({ deploymentName: 'legacy-orders', gate: false });
    expect(spec.spec.template).toEqual(jobSpec);
  });

  it('writes --out atomically and refuses to overwrite without --force', async () => {
    const dir = tempDir({ 'd.yaml': fd(jobSpec) });
    expect((await runCli(['init', '--from', 'd.yaml', '--out', 'p.yaml'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'p.yaml'), 'utf8')).toContain('deploymentName: legacy-orders');
    const again = await runCli(['init', '--from', 'd.yaml', '--out', 'p.yaml'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(
      (await runCli(['init', '--from', 'd.yaml', '--out', 'p.yaml', '--force'], { cwd: dir })).code,
    ).toBe(0);
  });

  it('migrates a native FlinkBlueGreenDeployment, adopting its active child', () => {
    const bg = {
      apiVersion: 'flink.apache.org/v1beta1',
      kind: 'FlinkBlueGreenDeployment',
      metadata: { name: 'orders', namespace: 'streaming' },
      spec: {
        configuration: { 'kubernetes.operator.bluegreen.deployment-deletion.delay': '1m' },
        template: { metadata: { labels: { team: 'x' } }, spec: jobSpec },
      },
      status: { blueGreenState: 'ACTIVE_GREEN' },
    };
    const o = adoptManifest(bg);
    expect(o.kind).toBe('pipeline');
    if (o.kind !== 'pipeline') return;
    expect(o.spec.spec).toMatchObject({
      active: 'green',
      colors: { green: { deploymentName: 'orders-green', gate: false } },
      template: jobSpec,
    });
    expect(o.spec.metadata).toEqual({ name: 'orders', namespace: 'streaming', labels: { team: 'x' } });
    expect(o.notes.join('\n')).toContain('dropped spec.configuration');
    const rendered = renderPipeline(o.spec).manifests.find((m) => m.kind === 'FlinkDeployment') as Obj;
    expect(rendered.metadata.name).toBe('orders-green');
    expect(rendered.spec).toEqual(jobSpec);
    const transitioning = adoptManifest({ ...bg, status: { blueGreenState: 'TRANSITIONING_TO_GREEN' } });
    expect(transitioning.kind === 'pipeline' && transitioning.spec.spec).toMatchObject({ active: 'blue' });
  });

  it('exits 1 when nothing can be adopted, 2 on an unreadable file', async () => {
    const dir = tempDir({ 'cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } });
    const r = await runCli(['init', '--from', 'cm.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('skipped ConfigMap x');
    expect((await runCli(['init', '--from', 'missing.yaml'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['init'], { cwd: dir })).code).toBe(2);
  });

  it('reads what kubectl get -o yaml prints: a List with live metadata and status', async () => {
    const live = fd(jobSpec, 'orders-prod', {
      uid: 'b7c1',
      resourceVersion: '123',
      generation: 4,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'argocd' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big": true}' },
    });
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [{ ...live, status: { jobStatus: { state: 'RUNNING' } } }],
      metadata: { resourceVersion: '' },
    };
    const dir = tempDir({ 'live.json': JSON.stringify(list) });
    const r = await runCli(['init', '--from', 'live.json', '--name', 'orders'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const spec = parse(r.stdout);
    expect(spec.metadata).toEqual({ name: 'orders', namespace: 'streaming' });
    expect(spec.spec.colors.blue).toEqual({ deploymentName: 'orders-prod', gate: false });
    expect(spec.spec.template).toEqual(jobSpec);
  });

  it('refuses a deployment name that cannot be a pipeline name without --name', async () => {
    const dir = tempDir({ 'd.yaml': fd(jobSpec, 'x'.repeat(60)) });
    const r = await runCli(['init', '--from', 'd.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--name');
  });

  it('warns (stderr, exit 0) that empty sources and sinks leave the isolation checks blind', async () => {
    const dir = tempDir({ 'd.yaml': fd(jobSpec) });
    const r = await runCli(['init', '--from', 'd.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(parse(r.stdout).spec).toMatchObject({ sources: [], sinks: [] });
    expect(r.stderr).toContain('d.yaml: warning: spec.sources and spec.sinks are empty');
    for (const what of [
      'shared-consumer-group',
      'shared-transactional-id',
      'non-replayable-source',
      'consumerGroup: "<group>-{{color}}"',
      'transactionalIdPrefix: "<prefix>-{{color}}"',
    ])
      expect(r.stderr).toContain(what);
  });

  it('warns on each literal credential it adopts, at file:line:col with the key and the fix', async () => {
    const text = [
      'apiVersion: flink.apache.org/v1beta1',
      'kind: FlinkDeployment',
      'metadata: {name: legacy-orders, namespace: streaming}',
      'spec:',
      '  image: flink:1.20',
      '  flinkVersion: v1_20',
      '  flinkConfiguration:',
      '    s3.secret-key: hunter2hunter2',
      '    taskmanager.numberOfTaskSlots: "2"',
      '  podTemplate:',
      '    spec:',
      '      containers:',
      '        - name: flink-main-container',
      '          env:',
      '            - {name: DB_USER, value: app}',
      '            - name: DB_PASSWORD',
      '              value: s3cr3t',
      '            - name: API_TOKEN',
      '              valueFrom: {secretKeyRef: {name: api, key: token}}',
      '  job: {jarURI: "local:///x.jar", parallelism: 2, upgradeMode: savepoint}',
      '',
    ].join('\n');
    const dir = tempDir({ 'd.yaml': text });
    const r = await runCli(['init', '--from', 'd.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => /^d\.yaml:\d+:\d+: warning:/.test(l));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^d\.yaml:8:\d+: warning: flinkConfiguration s3\.secret-key holds a literal credential/,
    );
    expect(warnings[1]).toMatch(
      /^d\.yaml:17:\d+: warning: \/spec\/podTemplate\/spec\/containers\/0\/env\/1\/value holds a literal value for DB_PASSWORD/,
    );
    expect(r.stderr.match(/\n {4}fix: [^\n]*Kubernetes Secret/g)).toHaveLength(2);
    expect(r.stderr).not.toContain('DB_USER');
    expect(r.stderr).not.toContain('API_TOKEN');
  });

  it('places credential warnings in a List from kubectl get -o yaml', async () => {
    const live = fd({ ...jobSpec, flinkConfiguration: { 's3.access-key': 'AKIAIOSFODNN7EXAMPLE' } });
    const dir = tempDir({ 'live.yaml': { apiVersion: 'v1', kind: 'List', items: [live] } });
    const r = await runCli(['init', '--from', 'live.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'live.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('AKIAIOSFODNN7EXAMPLE')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(r.stderr).toMatch(
      new RegExp(`live\\.yaml:${line}:\\d+: warning: flinkConfiguration s3\\.access-key`),
    );
  });

  it('needs a namespace: the manifest names none and no --namespace is a usage error; --namespace fills it in', async () => {
    const bare = { ...fd(jobSpec), metadata: { name: 'legacy-orders' } };
    const dir = tempDir({ 'd.yaml': bare, 'ns.yaml': fd(jobSpec) });
    const r = await runCli(['init', '--from', 'd.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('FlinkDeployment legacy-orders names no metadata.namespace');
    expect(r.stderr).toContain('pass --namespace <ns>');
    const ok = await runCli(['init', '--from', 'd.yaml', '--namespace', 'streaming'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(parse(ok.stdout).metadata).toEqual({ name: 'legacy-orders', namespace: 'streaming' });
    // The manifest's own namespace wins; a different one would adopt nothing.
    const same = await runCli(['init', '--from', 'ns.yaml', '--namespace', 'streaming'], { cwd: dir });
    expect(same.code, same.stderr).toBe(0);
    const other = await runCli(['init', '--from', 'ns.yaml', '--namespace', 'batch'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      '--namespace batch differs from the metadata.namespace of FlinkDeployment legacy-orders (streaming)',
    );
    const bad = await runCli(['init', '--from', 'd.yaml', '--namespace', 'Not_A_Namespace'], { cwd: dir });
    expect(bad.code).toBe(2);
  });

  it('says how to delete a FlinkBlueGreenDeployment without garbage-collecting the adopted child', async () => {
    const bg = {
      apiVersion: 'flink.apache.org/v1beta1',
      kind: 'FlinkBlueGreenDeployment',
      metadata: { name: 'orders', namespace: 'streaming' },
      spec: { template: { spec: jobSpec } },
      status: { blueGreenState: 'ACTIVE_GREEN' },
    };
    const dir = tempDir({ 'bg.yaml': bg });
    const r = await runCli(['init', '--from', 'bg.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the operator made it the owner of orders-green (ownerReferences)');
    expect(r.stderr).toContain(
      'kubectl delete flinkbluegreendeployment orders -n streaming --cascade=orphan',
    );
    expect(r.stderr).toContain('argocd.argoproj.io/sync-options: Prune=false,Delete=false');
    expect(r.stderr).toContain(
      'argocd app delete-resource <app> --kind FlinkBlueGreenDeployment --resource-name orders --namespace streaming --orphan',
    );
    // A credential in the template is reported where it is written: under spec.template.spec.
    const withSecret = stringify({
      ...bg,
      spec: {
        template: { spec: { ...jobSpec, flinkConfiguration: { 'fs.azure.account.key.acct': 'abc123' } } },
      },
    });
    const line = withSecret.split('\n').findIndex((l) => l.includes('abc123')) + 1;
    const secret = await runCli(['init', '--from', 'bg.yaml'], { cwd: tempDir({ 'bg.yaml': withSecret }) });
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stderr).toMatch(
      new RegExp(
        `bg\\.yaml:${line}:\\d+: warning: flinkConfiguration fs\\.azure\\.account\\.key\\.acct holds a literal credential`,
      ),
    );
    // A plain FlinkDeployment has no owner to remove: no such note.
    const plain = await runCli(['init', '--from', 'd.yaml'], { cwd: tempDir({ 'd.yaml': fd(jobSpec) }) });
    expect(plain.stderr).not.toContain('--cascade=orphan');
  });
});
