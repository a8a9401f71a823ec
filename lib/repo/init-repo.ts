import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { synth } from '../constructs/synth.js';
import type { SynthResult } from '../constructs/synth.js';
import { defaultVerifyImage } from '../constructs/verify-job.js';
import { packageVersion } from '../spec/paths.js';
import { PROJECT_CONFIG_FILE } from '../spec/project-config.js';

/** What `flink-cutover init-repo` makes. */
export interface GitopsRepoOptions {
  /** The package name in package.json. */
  readonly name: string;
  /**
   * The `flink-cutover` dependency (a version range, or e.g. `file:../flink-cutover-0.1.0.tgz`).
   * @default `^<this version>`
   */
  readonly dependency?: string;
  /**
   * The repository's git URL, for the Argo CD Applications.
   * @default none: the `argocd` section of flink-cutover.yaml is left commented out
   */
  readonly repoURL?: string;
  /**
   * The branch pull requests target (the workflow compares with it).
   * @default "main"
   */
  readonly branch?: string;
  /**
   * The verify Job's image.
   * @default `ghcr.io/flink-cutover/flink-cutover:<this version>`
   */
  readonly verifyImage?: string;
}

/** The folder pipelines live in and the one synth renders to, inside the repo. */
export const REPO_PIPELINES_DIR = 'apps/pipelines';
export const REPO_DIST_DIR = 'dist';
/** The CI workflow of the repo. */
export const REPO_WORKFLOW_FILE = '.github/workflows/flink-cutover.yml';

/** The name npm accepts for a folder name (lowercase, URL-safe). */
export function packageNameFor(dir: string): string {
  const n = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return n || 'gitops';
}

const SCHEMA_BASE = '../../node_modules/flink-cutover/schemas';

function examplePipeline(): string {
  return `# yaml-language-server: $schema=${SCHEMA_BASE}/pipeline.schema.json
# An example pipeline in its steady state: one color (blue) runs and owns the output. Replace it
# with your own (or adopt a running job: npx flink-cutover init --from deployment.yaml). To
# upgrade: npx flink-cutover stage example --image ..., one pull request per lifecycle step.
apiVersion: flink-cutover.dev/v1alpha1
kind: BlueGreenPipeline
metadata:
  name: example
  namespace: streaming
spec:
  active: blue
  colors:
    blue:
      image: registry.example.com/streaming/example:1.0.0
  template:
    flinkVersion: v1_20
    serviceAccount: flink
    flinkConfiguration:
      taskmanager.numberOfTaskSlots: "2"
      execution.checkpointing.interval: 30s
      execution.checkpointing.mode: EXACTLY_ONCE
      state.checkpoints.dir: s3://flink-state/checkpoints/{{pipeline}}/{{color}}
      state.savepoints.dir: s3://flink-state/savepoints/{{pipeline}}/{{color}}
      execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
      high-availability.type: kubernetes
      high-availability.storageDir: s3://flink-state/ha/{{pipeline}}/{{color}}
    jobManager:
      resource: {memory: 2048m, cpu: 1}
    taskManager:
      resource: {memory: 4096m, cpu: 2}
    job:
      jarURI: local:///opt/flink/usrlib/example.jar
      args: ["--group-id", "example-{{color}}"]
      parallelism: 2
      upgradeMode: savepoint
  gate: {mode: filter, lateness: 5m}
  validation: {minRunning: 10m, minCompletedCheckpoints: 3, maxWatermarkLag: 1m, maxRestarts: 0}
  policy: {minLeadTime: 15m, teardownDelay: 30m}
  sources:
    - name: input
      kind: kafka
      topics: [example-input]
      consumerGroup: example-{{color}}
  sinks:
    - name: output
      kind: kafka
      topic: example-output
      deliveryGuarantee: exactly-once
      transactionalIdPrefix: example-output-{{color}}
`;
}

function projectConfig(o: GitopsRepoOptions): string {
  const argocd = o.repoURL
    ? `argocd:\n  repoURL: ${JSON.stringify(o.repoURL)}\n  targetRevision: ${o.branch ?? 'main'}\n  path: ${REPO_DIST_DIR}\n`
    : `# argocd:\n#   repoURL: https://github.com/<org>/<this repo>.git\n#   targetRevision: ${o.branch ?? 'main'}\n#   path: ${REPO_DIST_DIR}\n`;
  return `# yaml-language-server: $schema=node_modules/flink-cutover/schemas/project-config.schema.json
# Read by \`flink-cutover synth\` besides the pipeline specs.
verify:
  # The image of the standby's validation gate Job: build flink-cutover's Dockerfile and push it
  # to a registry your cluster pulls from, then name it here.
  image: ${o.verifyImage ?? defaultVerifyImage()}
# With an argocd section, synth also renders dist/argocd/applications.yaml (one Argo CD
# Application per pipeline) and dist/argocd/argocd-cm.patch.yaml (the FlinkDeployment health check).
${argocd}`;
}

function workflow(o: GitopsRepoOptions): string {
  const branch = o.branch ?? 'main';
  return `# flink-cutover on every pull request: dist/ is what the specs render, the lifecycle step is safe
# (check, as annotations and as SARIF code scanning), and the plan as a pull-request comment.
# With the secret KUBECONFIG_B64 (a kubeconfig, base64, that may read ConfigMaps), the check reads
# the controller's <pipeline>-cutover-status ConfigMaps: without them a teardown, a rollback or a
# rescheduled cutover is refused (add --allow-unknown-status to the check only if CI cannot reach the
# cluster; every report then says the status was not checked).
name: flink-cutover

on:
  pull_request:
    branches: [${branch}]
  push:
    branches: [${branch}]

permissions:
  contents: read
  security-events: write # upload-sarif
  pull-requests: write # the plan comment

concurrency:
  group: flink-cutover-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  flink-cutover:
    runs-on: ubuntu-latest
    env:
      PIPELINES: ${REPO_PIPELINES_DIR}
      BASE_REF: origin/\${{ github.base_ref || '${branch}' }}
      KUBECONFIG_B64: \${{ secrets.KUBECONFIG_B64 }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # the base branch must be present for --base-ref

      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm

      - name: Install
        run: npm ci

      - name: Rendered manifests are up to date
        run: npx flink-cutover synth --pipelines "$PIPELINES" --out ${REPO_DIST_DIR} --check --base-ref "$BASE_REF"

      - name: Read the status ConfigMaps from the cluster
        if: \${{ env.KUBECONFIG_B64 != '' }}
        run: |
          echo "$KUBECONFIG_B64" | base64 -d > "$RUNNER_TEMP/kubeconfig"
          KUBECONFIG="$RUNNER_TEMP/kubeconfig" kubectl get configmaps --all-namespaces -o yaml > "$RUNNER_TEMP/status.yaml"
          echo "STATUS_ARGS=--status $RUNNER_TEMP/status.yaml" >> "$GITHUB_ENV"

      - name: Check
        id: check
        run: |
          set +e
          npx flink-cutover check --head "$PIPELINES" --base-ref "$BASE_REF" $STATUS_ARGS --format github
          echo "code=$?" >> "$GITHUB_OUTPUT"

      - name: Check (SARIF)
        if: \${{ always() }}
        run: npx flink-cutover check --head "$PIPELINES" --base-ref "$BASE_REF" $STATUS_ARGS --format sarif > flink-cutover.sarif || [ $? -eq 1 ] || rm -f flink-cutover.sarif

      - name: Upload SARIF
        if: \${{ always() && hashFiles('flink-cutover.sarif') != '' }}
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: flink-cutover.sarif
          category: flink-cutover

      - name: Plan
        if: \${{ always() }}
        run: |
          {
            echo '### flink-cutover plan'
            echo '\`\`\`'
            npx flink-cutover plan --head "$PIPELINES" --base-ref "$BASE_REF" || true
            echo '\`\`\`'
          } > flink-cutover-plan.md
          cat flink-cutover-plan.md >> "$GITHUB_STEP_SUMMARY"

      - name: Plan as a pull-request comment
        if: \${{ always() && github.event_name == 'pull_request' && hashFiles('flink-cutover-plan.md') != '' }}
        env:
          GH_TOKEN: \${{ github.token }}
        run: gh pr comment "\${{ github.event.pull_request.number }}" --body-file flink-cutover-plan.md --edit-last || gh pr comment "\${{ github.event.pull_request.number }}" --body-file flink-cutover-plan.md

      - name: Fail on check errors
        if: \${{ steps.check.outputs.code != '0' }}
        run: |
          echo "flink-cutover check exited \${{ steps.check.outputs.code }}; see the annotations"
          exit 1
`;
}

function readme(o: GitopsRepoOptions): string {
  return `# ${o.name}

Flink pipelines deployed blue/green by [flink-cutover](https://www.npmjs.com/package/flink-cutover).

- \`${REPO_PIPELINES_DIR}/\`: one BlueGreenPipeline spec per pipeline (editors validate them against
  \`node_modules/flink-cutover/schemas/pipeline.schema.json\` after \`npm install\`).
- \`${REPO_DIST_DIR}/\`: the rendered manifests (\`npm run synth\` after every spec change; commit them).
- \`${PROJECT_CONFIG_FILE}\`: the verify Job's image and the Argo CD Applications.
- \`${REPO_WORKFLOW_FILE}\`: on every pull request, \`synth --check\`, \`check\` (annotations and
  SARIF) and \`plan\` (a pull-request comment).

Each lifecycle step is one pull request: \`npx flink-cutover stage|schedule|cancel|teardown|rollback|abandon\`.
`;
}

/** The files of a new GitOps repo, by path (pure). dist/ is filled by synth afterwards. */
export function gitopsRepoFiles(o: GitopsRepoOptions): Record<string, string> {
  const pkg = {
    name: o.name,
    private: true,
    description: 'Flink pipelines deployed blue/green with flink-cutover',
    type: 'module',
    scripts: {
      synth: `flink-cutover synth --pipelines ${REPO_PIPELINES_DIR} --out ${REPO_DIST_DIR}`,
      'synth:check': `flink-cutover synth --pipelines ${REPO_PIPELINES_DIR} --out ${REPO_DIST_DIR} --check`,
      check: `flink-cutover check --head ${REPO_PIPELINES_DIR} --base-ref origin/${o.branch ?? 'main'}`,
      plan: `flink-cutover plan --head ${REPO_PIPELINES_DIR} --base-ref origin/${o.branch ?? 'main'}`,
    },
    dependencies: { 'flink-cutover': o.dependency ?? `^${packageVersion()}` },
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    '.gitignore': 'node_modules/\n*.sarif\nflink-cutover-plan.md\n',
    'README.md': readme(o),
    [PROJECT_CONFIG_FILE]: projectConfig(o),
    [`${REPO_PIPELINES_DIR}/example.yaml`]: examplePipeline(),
    [REPO_WORKFLOW_FILE]: workflow(o),
  };
}

/** The outcome of writing a repo. */
export interface InitRepoResult {
  readonly dir: string;
  readonly files: string[];
  readonly synth: SynthResult;
}

/** Thrown when the target folder cannot take a new repo (exists and is not empty, or is a file). */
export class InitRepoError extends Error {}

/**
 * Writes a new GitOps repo into `dir` (which must not exist or be empty) and renders its dist/.
 * Everything is written into a sibling staging folder first and moved into place at the end, so
 * a failure leaves nothing half-written.
 */
export function initRepo(dir: string, o: GitopsRepoOptions): InitRepoResult {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new InitRepoError(`${dir} is a file, not a folder`);
    if (readdirSync(target).length > 0)
      throw new InitRepoError(`${dir} is not empty; init-repo only writes into a new or empty folder`);
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.init-repo.${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const files = gitopsRepoFiles(o);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(dirname(join(staging, rel)), { recursive: true });
      writeFileSync(join(staging, rel), content);
    }
    const result = synth({
      pipelinesDir: join(staging, REPO_PIPELINES_DIR),
      outDir: join(staging, REPO_DIST_DIR),
    });
    if (result.diagnostics.length > 0)
      throw new InitRepoError(
        `the example pipeline does not render: ${result.diagnostics.map((d) => d.message).join('; ')}`,
      );
    if (existsSync(target)) rmdirSync(target);
    renameSync(staging, target);
    return {
      dir: target,
      files: [...Object.keys(files), ...result.changed.map((f) => `${REPO_DIST_DIR}/${f}`)].sort(),
      synth: result,
    };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
