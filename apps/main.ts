/**
 * The cdk8s app: renders every BlueGreenPipeline in apps/pipelines/ into one manifest file per
 * pipeline. `cdk8s synth` runs it (cdk8s.yaml) with CDK8S_OUTDIR; `flink-cutover synth` does the
 * same from the CLI. Invalid specs print file:line:column errors and write nothing.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synth } from '../lib/constructs/synth.js';
import { formatDiagnostic } from '../lib/spec/diagnostics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pipelinesDir = process.env.FLINK_CUTOVER_PIPELINES ?? join(root, 'apps', 'pipelines');
const outDir = process.env.CDK8S_OUTDIR ?? join(root, 'dist');

const result = synth({ pipelinesDir, outDir });
if (result.diagnostics.length > 0) {
  process.stderr.write(result.diagnostics.map(formatDiagnostic).join('\n') + '\n');
  process.exitCode = 1;
} else {
  process.stdout.write(`rendered ${result.rendered.length} pipeline(s) into ${outDir}\n`);
}
