/**
 * The controller at scale: 1000 pipelines on fakes (a fake Kubernetes API and 2000 fake
 * JobManagers, in a child process), 200 of them with an open cutover. Measures JobManager REST
 * requests per pipeline per reconcile (goal: at most 3 per color with an open cutover, 0 without),
 * the worker's busy time per interval (one pass over the open cutovers), the controller's RSS (goal
 * under 128 MiB), and the time from the last gate's report to Armed written (goal: within one
 * interval).
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROLLER_NODE_FLAGS } from '../lib/constructs/cutover-controller.js';
import { CutoverController } from '../lib/controller/controller.js';
import { loadKubeConfig } from '../lib/controller/kube.js';
import { report } from './report.js';

const N = 1000;
const OPEN = 200;
const INTERVAL_MS = 2000;
const here = dirname(fileURLToPath(import.meta.url));
const child = fork(join(here, 'support', 'controller-fakes.ts'), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
let ready: () => void;
const isReady = new Promise<void>((r) => (ready = r));
child.on('message', (m: { id: number; value: unknown }) => {
  if (m.id === 0) return ready();
  pending.get(m.id)?.(m.value);
  pending.delete(m.id);
});
const ask = <T>(cmd: string, extra: Record<string, unknown> = {}): Promise<T> =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve as (v: unknown) => void);
    child.send({ id, cmd, ...extra });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (f: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`controller bench: timed out waiting for ${what}`);
    await sleep(50);
  }
};

process.on('uncaughtException', (err) => {
  child.kill();
  throw err;
});
process.on('unhandledRejection', (err) => {
  child.kill();
  throw err;
});
await isReady;
const { kubeconfigPath, namespace } = await ask<{ kubeconfigPath: string; namespace: string }>('setup', {
  n: N,
  open: OPEN,
});
let errors = 0;
const controller = new CutoverController({
  kubeConfig: loadKubeConfig(kubeconfigPath),
  namespace,
  intervalMs: INTERVAL_MS,
  relistMs: 600_000,
  apiTimeoutMs: 10_000,
  flinkHttp: { timeoutMs: 5000, retries: 0 },
  log: (l) => void (l.level === 'error' && errors++),
});
const t0 = Date.now();
await controller.start();
await until(() => controller.reconcilesByKey.size >= N, 'the first pass over every pipeline');
const firstPassMs = Date.now() - t0;
await sleep(INTERVAL_MS * 1.5); // settle into the resync rhythm

const openKeys = Array.from({ length: OPEN }, (_, i) => `${namespace}/p${i}-cutover`);
const closedKeys = Array.from({ length: N - OPEN }, (_, i) => `${namespace}/p${OPEN + i}-cutover`);
const snap = async () => ({
  counts: await ask<Record<string, number>>('counts'),
  reconciles: new Map(controller.reconcilesByKey),
  busy:
    (await controller.metrics.reconcileDuration.get()).values.find((v) => v.metricName?.endsWith('_sum'))
      ?.value ?? 0,
  at: Date.now(),
});
const a = await snap();
let rss = process.memoryUsage().rss;
for (let i = 0; i < 5; i++) {
  await sleep(INTERVAL_MS);
  rss = Math.max(rss, process.memoryUsage().rss);
}
const b = await snap();
const perReconcile = (keys: string[]) => {
  let req = 0;
  let rec = 0;
  for (const k of keys) {
    const i = Number(/p(\d+)-cutover$/.exec(k)![1]);
    req += (b.counts[i] ?? 0) - (a.counts[i] ?? 0);
    rec += (b.reconciles.get(k) ?? 0) - (a.reconciles.get(k) ?? 0);
  }
  return { req, rec, perColor: rec > 0 ? req / rec / 2 : 0 };
};
const o = perReconcile(openKeys);
const c = perReconcile(closedKeys);
const cycles = (b.at - a.at) / INTERVAL_MS;

await ask('prepare');
await until(
  async () => Object.keys(await ask<Record<string, number>>('armed')).length >= OPEN,
  'every open cutover Armed',
);
const lat = Object.values(await ask<Record<string, number>>('armed')).sort((x, y) => x - y);

report({
  name: 'controller.rest-requests.per-color.per-reconcile.open-cutover',
  value: +o.perColor.toFixed(2),
  unit: 'requests',
  baseline: 'goal: at most 3',
  ratio: +(o.perColor / 3).toFixed(3),
});
report({
  name: 'controller.rest-requests.per-pipeline.per-cycle.open-cutover',
  value: +(o.req / OPEN / cycles).toFixed(2),
  unit: 'requests',
  baseline: null,
  ratio: null,
});
report({
  name: 'controller.rest-requests.per-pipeline.per-cycle.no-cutover',
  value: +(c.req / (N - OPEN) / cycles).toFixed(3),
  unit: 'requests',
  baseline: 'goal: 0',
  ratio: null,
});
report({
  name: 'controller.reconciles.per-open-pipeline.per-cycle',
  value: +(o.rec / OPEN / cycles).toFixed(2),
  unit: 'reconciles',
  baseline: null,
  ratio: null,
});
report({
  name: `controller.cycle.busy-time.${OPEN}-open-of-${N}`,
  value: Math.round(((b.busy - a.busy) * 1000) / cycles),
  unit: 'ms per interval',
  baseline: `interval ${INTERVAL_MS} ms`,
  ratio: +(((b.busy - a.busy) * 1000) / cycles / INTERVAL_MS).toFixed(3),
});
report({
  name: `controller.first-pass.${N}-pipelines`,
  value: firstPassMs,
  unit: 'ms',
  baseline: null,
  ratio: null,
});
report({
  name: `controller.bench-process-rss.${N}-pipelines`,
  value: +(rss / 1024 / 1024).toFixed(1),
  unit: 'MiB',
  baseline: 'in-process under tsx (not the production figure)',
  ratio: null,
});
report({
  name: `controller.heap-used.${N}-pipelines`,
  value: +(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1),
  unit: 'MiB',
  baseline: null,
  ratio: null,
});
report({
  name: 'controller.report-to-armed.p50',
  value: lat[Math.floor(lat.length / 2)]!,
  unit: 'ms',
  baseline: `interval ${INTERVAL_MS} ms`,
  ratio: +(lat[Math.floor(lat.length / 2)]! / INTERVAL_MS).toFixed(3),
});
report({
  name: 'controller.report-to-armed.max',
  value: lat[lat.length - 1]!,
  unit: 'ms',
  baseline: `interval ${INTERVAL_MS} ms`,
  ratio: +(lat[lat.length - 1]! / INTERVAL_MS).toFixed(3),
});
report({ name: 'controller.errors', value: errors, unit: 'log lines', baseline: null, ratio: null });

await controller.stop();

// RSS as in production: the compiled CLI (`node build/lib/cli/main.js controller`) in a process of
// its own, against the same 1000 pipelines, sampled over a few intervals.
execFileSync(
  process.execPath,
  [
    join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(here, '..', 'tsconfig.build.json'),
  ],
  { stdio: 'inherit' },
);
// The Deployment's Node flags (see CutoverController), unless CONTROLLER_NODE_OPTIONS says otherwise.
const nodeFlags = (process.env.CONTROLLER_NODE_OPTIONS ?? CONTROLLER_NODE_FLAGS).split(' ').filter(Boolean);
const proc = spawn(
  process.execPath,
  [
    ...nodeFlags,
    join(here, '..', 'build', 'lib', 'cli', 'main.js'),
    'controller',
    '--kubeconfig',
    kubeconfigPath,
    '--namespace',
    namespace,
    '--interval',
    `${INTERVAL_MS}ms`,
    '--metrics-port',
    '0',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let started = false;
proc.stdout!.on('data', (d: Buffer) => void (d.toString().includes('"msg":"started"') && (started = true)));
await until(() => started, 'the controller process');
let procRss = 0;
let exited: number | null = null;
proc.once('exit', (code) => (exited = code ?? -1));
for (let i = 0; i < 8 && exited === null; i++) {
  await sleep(INTERVAL_MS);
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
    if (m) procRss = Math.max(procRss, Number(m[1]) / 1024);
  } catch {
    /* exited meanwhile */
  }
}
if (exited !== null)
  process.stderr.write(`controller bench: the controller process exited early (code ${exited})\n`);
else {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
}
report({
  name: `controller.process-rss.${N}-pipelines`,
  value: +procRss.toFixed(1),
  unit: 'MiB',
  baseline: 'goal: under 128',
  ratio: +(procRss / 128).toFixed(3),
});
child.kill();
