import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ARGOCD_APPLICATIONS_FILE, ARGOCD_CM_PATCH_FILE } from '../../lib/constructs/argocd-render.js';
import { CONTROLLER_FILE, CONTROLLER_NAMESPACE } from '../../lib/constructs/render.js';
import { synth } from '../../lib/constructs/synth.js';
import { runCli } from '../support/cli.js';
import { stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const docs = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);

/** A glob of Argo CD's directory `include` (only `*` is used by the rendered Applications). */
function matches(glob: string, file: string): boolean {
  return new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  ).test(file);
}

/** The objects an Application tracks: every object of the files its directory source includes. */
function tracked(app: Obj, repoRoot: string): Obj[] {
  const dir = join(repoRoot, app.spec.source.path);
  const files = readdirSync(dir).filter(
    (f) => /\.(ya?ml|json)$/.test(f) && matches(app.spec.source.directory.include, f),
  );
  return files.flatMap((f) => docs(join(dir, f)));
}

describe('Argo CD Applications in dist/', () => {
  const all = docs(join('dist', ARGOCD_APPLICATIONS_FILE));
  const controllerApp = all.find((a) => a.metadata.name === 'flink-cutover-controller');
  const apps = all.filter((a) => a !== controllerApp);
  const pipelines = readdirSync('dist').filter((f) => f.endsWith('.k8s.yaml') && f !== CONTROLLER_FILE);

  it('the controller has an Application of its own, tracking exactly its file, into its namespace', () => {
    expect(controllerApp?.spec.source.directory.include).toBe(CONTROLLER_FILE);
    expect(controllerApp?.spec.destination.namespace).toBe(CONTROLLER_NAMESPACE);
    expect(controllerApp?.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'CreateNamespace=true']);
    const names = tracked(controllerApp!, '.').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toContain('Deployment/flink-cutover-controller');
    expect(names.filter((n) => n.startsWith('ConfigMap/'))).toEqual([]);
  });

  it('one Application per pipeline file, each tracking exactly that file', () => {
    expect(apps.map((a) => a.spec.source.directory.include).sort()).toEqual(pipelines.sort());
    for (const a of apps) {
      expect(a.kind).toBe('Application');
      expect(a.apiVersion).toBe('argoproj.io/v1alpha1');
      expect(a.spec.source.path).toBe('dist');
      expect(a.spec.source.directory.recurse).toBe(false);
      const objects = tracked(a, '.');
      expect(objects.length).toBeGreaterThan(0);
      const pipeline = a.metadata.labels?.['flink-cutover.dev/pipeline'];
      for (const o of objects)
        expect(
          o.metadata.labels?.['flink-cutover.dev/pipeline'],
          `${a.metadata.name}: ${o.kind}/${o.metadata.name}`,
        ).toBe(pipeline);
      // The Application's destination namespace is the pipeline's.
      for (const o of objects)
        expect(o.metadata.namespace ?? a.spec.destination.namespace).toBe(a.spec.destination.namespace);
    }
  });

  it("never tracks a pipeline's <name>-cutover-status ConfigMap (the controller owns it), nor Argo CD's own objects", () => {
    for (const a of apps) {
      const names = tracked(a, '.').map((o) => `${o.kind}/${o.metadata.name}`);
      const pipeline = a.metadata.labels!['flink-cutover.dev/pipeline']!;
      expect(names).toContain(`ConfigMap/${pipeline}-cutover`);
      expect(names).not.toContain(`ConfigMap/${pipeline}-cutover-status`);
      expect(names.filter((n) => n.endsWith('-cutover-status'))).toEqual([]);
      expect(names).not.toContain('ConfigMap/argocd-cm');
      expect(names.filter((n) => n.startsWith('Application/'))).toEqual([]);
    }
  });

  it('syncs with prune, PruneLast and no retry, and has no resources finalizer', () => {
    for (const a of apps) {
      expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: false });
      expect(a.spec.syncPolicy.syncOptions).toContain('PruneLast=true');
      expect(a.spec.syncPolicy.retry).toBeUndefined();
      expect((a.metadata as { finalizers?: string[] }).finalizers).toBeUndefined();
    }
  });

  it('keeps the sync waves as rendered and every hook deletes itself', () => {
    for (const f of pipelines) {
      for (const o of docs(join('dist', f))) {
        const ann = o.metadata.annotations ?? {};
        expect(ann['argocd.argoproj.io/sync-wave'], `${f}: ${o.kind}/${o.metadata.name}`).toMatch(/^-?\d+$/);
        if (!ann['argocd.argoproj.io/hook']) continue;
        const policy = ann['argocd.argoproj.io/hook-delete-policy']!.split(',');
        expect(policy).toContain('BeforeHookCreation');
        expect(policy).toContain('HookSucceeded');
        if (o.kind === 'Job')
          expect((o.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished).toBe(86400);
        else expect(policy, `${o.kind}/${o.metadata.name}`).toContain('HookFailed');
      }
    }
  });

  it('dist/ carries the argocd-cm patch beside the Applications', () => {
    expect(existsSync(join('dist', ARGOCD_CM_PATCH_FILE))).toBe(true);
  });
});

describe('synth with flink-cutover.yaml', () => {
  const config = (body: unknown) =>
    `# yaml-language-server: $schema=node_modules/flink-cutover/schemas/project-config.schema.json\n${stringify(body)}`;

  it('renders the Argo CD files only with an argocd section, deterministically, and removes them when it goes', async () => {
    const dir = tempDir({
      'package.json': '{}',
      'apps/pipelines/a.yaml': stagedPipeline(),
      'flink-cutover.yaml': config({
        argocd: { repoURL: 'https://git.example.com/p.git', targetRevision: 'main', namespace: 'gitops' },
      }),
    });
    const r1 = await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist'], { cwd: dir });
    expect(r1.code, r1.stderr).toBe(0);
    const appsFile = join(dir, 'dist', ARGOCD_APPLICATIONS_FILE);
    const first = readFileSync(appsFile, 'utf8');
    const [app] = docs(appsFile);
    expect(app!.metadata).toMatchObject({ name: 'streaming-orders', namespace: 'gitops' });
    expect(app!.spec.source).toMatchObject({
      repoURL: 'https://git.example.com/p.git',
      targetRevision: 'main',
      path: 'dist',
      directory: { include: 'streaming.orders.k8s.yaml' },
    });
    expect(docs(join(dir, 'dist', ARGOCD_CM_PATCH_FILE))[0]!.metadata.namespace).toBe('gitops');
    expect(
      (await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist', '--check'], { cwd: dir }))
        .code,
    ).toBe(0);
    expect(
      (await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist'], { cwd: dir })).stdout,
    ).toContain('0 written');
    expect(readFileSync(appsFile, 'utf8')).toBe(first);

    writeFileSync(
      join(dir, 'flink-cutover.yaml'),
      config({ verify: { image: 'registry.example.com/flink-cutover:9.9.9' } }),
    );
    const stale = await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist', '--check'], {
      cwd: dir,
    });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`dist/${ARGOCD_APPLICATIONS_FILE} (no pipeline renders it)`);
    expect(
      (await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist'], { cwd: dir })).code,
    ).toBe(0);
    expect(existsSync(appsFile)).toBe(false);
    // The verify Job's image comes from the configuration file.
    const job = docs(join(dir, 'dist', 'streaming.orders.k8s.yaml')).find((o) => o.kind === 'Job')!;
    expect(job.spec.template.spec.containers[0].image).toBe('registry.example.com/flink-cutover:9.9.9');
  });

  it('an invalid configuration is a file:line error and nothing is written', async () => {
    const dir = tempDir({
      'package.json': '{}',
      'apps/pipelines/a.yaml': steadyPipeline(),
      'flink-cutover.yaml': 'verify:\n  image: x\nargocd:\n  targetRevision: main\n  repoUrl: https://x\n',
    });
    const r = await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /flink-cutover\.yaml:5:3: error \[config\] at \/argocd: unknown field argocd\.repoUrl/,
    );
    expect(r.stderr).toMatch(
      /flink-cutover\.yaml:4:\d+: error \[config\] at \/argocd: argocd\.repoURL is required/,
    );
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('two pipelines that would share an Application name are a file:line error, and nothing is written', async () => {
    const dir = tempDir({
      'package.json': '{}',
      'flink-cutover.yaml': config({ argocd: { repoURL: 'https://x' } }),
      'apps/pipelines/a.yaml': steadyPipeline((p) => {
        p.metadata.namespace = 'a-b';
        p.metadata.name = 'c';
      }),
      'apps/pipelines/b.yaml': steadyPipeline((p) => {
        p.metadata.namespace = 'a';
        p.metadata.name = 'b-c';
      }),
    });
    const r = await runCli(['synth', '--pipelines', 'apps/pipelines', '--out', 'dist'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /apps\/pipelines\/b\.yaml:\d+:\d+: error \[argocd-application-name\] at \/metadata\/name: its Argo CD Application would be named a-b-c, like the one of .*a\.yaml/,
    );
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    // Without Argo CD Applications the two pipelines are fine.
    expect(
      synth({ pipelinesDir: join(dir, 'apps/pipelines'), outDir: join(dir, 'dist'), config: {} }).diagnostics,
    ).toEqual([]);
  });
});
