/**
 * The parts of the end-to-end run: a real Kubernetes API server (kube-apiserver + etcd), the
 * example Flink job with the Java gate in standalone MiniCluster processes (one per color), the
 * real `flink-cutover` CLI (promotion commands, synth, verify, controller), an input writer and an
 * output watcher. Everything talks over the same wire as in a cluster: the controller and the gates
 * reach the API server with tokens minted for the ServiceAccounts `synth` renders.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseCutoverStatus } from '../../lib/gate/contract.js';
import type { CutoverStatus } from '../../lib/gate/contract.js';
import type { Color } from '../../lib/spec/types.js';
import type { KubeApiServer, KubeObject } from '../support/kube-apiserver.js';
import type { InputRecord, OutputRecord } from './audit.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'bin', 'flink-cutover.js');
export const EXAMPLE_JAR = join(REPO, 'java', 'examples', 'target', 'flink-cutover-example.jar');
const RUN_EXAMPLE = join(REPO, 'java', 'examples', 'run-example.sh');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await sleep(everyMs);
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `flink-cutover` CLI (the built package, as a user runs it). */
export function cli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code: code ?? 2, stdout, stderr });
    });
  });
}

/** Runs the CLI and fails with its output unless it exits with `expect`. */
export async function cliOk(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; expect?: number },
): Promise<CliResult> {
  const r = await cli(args, options);
  if (r.code !== (options.expect ?? 0))
    throw new Error(
      `flink-cutover ${args.join(' ')} exited ${r.code} (expected ${options.expect ?? 0}):\n${r.stdout}${r.stderr}`,
    );
  return r;
}

/** The objects of every `*.k8s.yaml` file in `dir`. */
export function renderedObjects(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.k8s.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const o = doc.toJS() as KubeObject | null;
      if (o && typeof o === 'object' && o.kind) out.push(o);
    }
  }
  return out;
}

const keyOf = (o: KubeObject): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * What Argo CD does on a sync of `dist/`: server-side apply of every object that changed since the
 * last sync, and a prune of the objects no longer rendered. Returns what it did.
 */
export class Sync {
  private last = new Map<string, string>();
  private lastObjects = new Map<string, KubeObject>();

  constructor(
    private readonly server: KubeApiServer,
    private readonly distDir: string,
  ) {}

  async sync(): Promise<{ applied: string[]; pruned: string[] }> {
    const now = new Map<string, KubeObject>();
    for (const o of renderedObjects(this.distDir)) now.set(keyOf(o), o);
    const changed = [...now].filter(([k, o]) => this.last.get(k) !== JSON.stringify(o)).map(([, o]) => o);
    // Argo CD's order: lower sync waves first (the contract and RBAC before the jobs).
    const wave = (o: KubeObject): number =>
      Number(
        (o.metadata.annotations as Record<string, string> | undefined)?.['argocd.argoproj.io/sync-wave'] ?? 0,
      );
    changed.sort((a, b) => wave(a) - wave(b));
    // A hook (the verify Job) is not applied but recreated on the sync that runs it
    // (hook-delete-policy BeforeHookCreation): a Job's pod template is immutable.
    const isHook = (o: KubeObject): boolean =>
      !!(o.metadata.annotations as Record<string, string> | undefined)?.['argocd.argoproj.io/hook'];
    for (const o of changed.filter(isHook)) {
      const path = await this.server.pathFor(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
      await this.server.request('DELETE', path, { query: { propagationPolicy: 'Background' } });
      await until(
        `${keyOf(o)} deleted`,
        30_000,
        async () => ((await this.server.request('GET', path)).status === 404 ? true : undefined),
        100,
      );
    }
    if (changed.length > 0) await this.server.apply(changed, 'argocd-e2e', { force: true });
    const pruned: string[] = [];
    for (const [k, o] of this.lastObjects) {
      if (now.has(k)) continue;
      const path = await this.server.pathFor(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
      const r = await this.server.request('DELETE', path);
      if (r.status !== 200 && r.status !== 202 && r.status !== 404)
        throw new Error(`prune ${k}: HTTP ${r.status} ${r.text}`);
      pruned.push(k);
    }
    this.last = new Map([...now].map(([k, o]) => [k, JSON.stringify(o)]));
    this.lastObjects = now;
    return { applied: changed.map(keyOf), pruned };
  }
}

/** The `<name>-cutover-status` ConfigMap as the controller wrote it (undefined: none yet). */
export async function readStatus(
  server: KubeApiServer,
  namespace: string,
  pipeline: string,
): Promise<{ status: CutoverStatus; object: KubeObject } | undefined> {
  const r = await server.request(
    'GET',
    `/api/v1/namespaces/${namespace}/configmaps/${pipeline}-cutover-status`,
  );
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET status: HTTP ${r.status}`);
  const p = parseCutoverStatus(r.body.data);
  if (!p.ok) throw new Error(`the status ConfigMap breaks the contract: ${JSON.stringify(p.errors)}`);
  return { status: p.value, object: r.body as KubeObject };
}

/** Writes input files: every `everyMs` a new file (a partition) of records with event time near now, out of order by up to `jitterMs`. */
export class InputWriter {
  readonly records: InputRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private seed = 42;

  private readonly staging: string;

  constructor(
    private readonly dir: string,
    private readonly perFile = 8,
    private readonly everyMs = 250,
    private readonly jitterMs = 600,
  ) {
    mkdirSync(dir, { recursive: true });
    this.staging = `${dir}.staging`;
    mkdirSync(this.staging, { recursive: true });
  }

  private rand(): number {
    // A small LCG: the same run writes the same jitter.
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }

  private writeOne(): void {
    const now = Date.now();
    const n = this.seq++;
    const lines: string[] = [];
    for (let i = 0; i < this.perFile; i++) {
      const r = { id: `${n}-${i}`, t: now - Math.floor(this.rand() * this.jitterMs) };
      this.records.push(r);
      lines.push(`${r.id},${r.t},k${(n + i) % 8},${i + 1}`);
    }
    // A file appears whole, by a rename from a folder beside the input (Flink's file enumerator
    // fails for good on a file that vanishes between its listing and its stat, hidden or not).
    const tmp = join(this.staging, `in-${n}.tmp`);
    writeFileSync(tmp, lines.join('\n') + '\n');
    renameSync(tmp, join(this.dir, `in-${String(n).padStart(6, '0')}.csv`));
  }

  start(): void {
    this.writeOne();
    this.timer = setInterval(() => this.writeOne(), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Watches each color's output folder for committed files (the file sink renames them visible on a checkpoint). */
export class OutputWatcher {
  readonly records: OutputRecord[] = [];
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dirs: Record<Color, string>) {}

  private walk(dir: string): string[] {
    if (!existsSync(dir)) return [];
    const out: string[] = [];
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.') || name.startsWith('_')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) out.push(...this.walk(p));
      else out.push(p);
    }
    return out;
  }

  scan(): void {
    const now = Date.now();
    for (const color of ['blue', 'green'] as const) {
      for (const f of this.walk(this.dirs[color])) {
        if (this.seen.has(f)) continue;
        this.seen.add(f);
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          if (!line) continue;
          const [id, t] = line.split(',');
          this.records.push({ id: id!, t: Number(t), color, committedAt: now });
        }
      }
    }
  }

  start(): void {
    this.timer = setInterval(() => this.scan(), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.scan();
  }
}

function logTo(file: string): NodeJS.WritableStream {
  mkdirSync(dirname(file), { recursive: true });
  return createWriteStream(file, { flags: 'a' });
}

/** The example job with the gate, in its own MiniCluster process. */
export class FlinkColor {
  readonly port: Promise<number>;
  private proc: ChildProcess | undefined;
  private attempt = 0;

  constructor(
    readonly color: Color,
    private readonly opts: {
      readonly inputDir: string;
      readonly outputDir: string;
      readonly stateDir: string;
      readonly logDir: string;
      readonly env: NodeJS.ProcessEnv;
      readonly parallelism: number;
      readonly checkpointMs: number;
    },
  ) {
    this.port = freePort();
  }

  get restUrl(): Promise<string> {
    return this.port.then((p) => `http://127.0.0.1:${p}`);
  }

  async start(savepoint?: string): Promise<void> {
    const port = await this.port;
    const args = [
      '--rest-port',
      String(port),
      '--input',
      this.opts.inputDir,
      '--output',
      this.opts.outputDir,
      '--color',
      this.color,
      '--state-dir',
      this.opts.stateDir,
      '--checkpoint-interval',
      String(this.opts.checkpointMs),
      '--parallelism',
      String(this.opts.parallelism),
      '--out-of-orderness',
      '1000',
      '--idleness',
      '3000',
    ];
    if (savepoint) args.push('--savepoint', savepoint);
    const log = logTo(join(this.opts.logDir, `${this.color}-${++this.attempt}.log`));
    const p = spawn('bash', [RUN_EXAMPLE, ...args], {
      env: {
        ...process.env,
        JAVA_OPTS: '-Xmx320m -XX:+UseSerialGC -XX:TieredStopAtLevel=1',
        ...this.opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    p.stdout!.pipe(log);
    p.stderr!.pipe(log);
    this.proc = p;
    await until(
      `${this.color} job RUNNING on port ${port}`,
      120_000,
      async () => ((await this.runningJob()) ? true : undefined),
      500,
    );
  }

  /** The id of the RUNNING job whose every vertex is RUNNING, if any. */
  async runningJob(): Promise<string | undefined> {
    const base = await this.restUrl;
    const ov = (await (await fetch(`${base}/jobs/overview`)).json()) as {
      jobs: { jid: string; state: string }[];
    };
    const job = ov.jobs.find((j) => j.state === 'RUNNING');
    if (!job) return undefined;
    const d = (await (await fetch(`${base}/jobs/${job.jid}`)).json()) as { vertices: { status: string }[] };
    return d.vertices.every((v) => v.status === 'RUNNING') ? job.jid : undefined;
  }

  /** One line of what the JobManager says now: job, each vertex's input watermark, the gates' metrics. */
  async trace(): Promise<string> {
    const base = await this.restUrl;
    const jid = await this.runningJob().catch(() => undefined);
    if (!jid) return `${this.color}: no running job`;
    const d = (await (await fetch(`${base}/jobs/${jid}`)).json()) as {
      vertices: { id: string; name: string; parallelism: number }[];
    };
    const parts: string[] = [];
    for (const v of d.vertices) {
      const wm = (await (await fetch(`${base}/jobs/${jid}/vertices/${v.id}/watermarks`)).json()) as {
        id: string;
        value: string;
      }[];
      parts.push(`${v.name.slice(0, 20)} wm=[${wm.map((w) => w.value).join(',')}]`);
      if (v.name.includes('flink-cutover-gate')) {
        const ids = Array.from({ length: v.parallelism }, (_, i) =>
          ['preparedGeneration', 'maxTimestampAtPrepare', 'gateWatermark', 'recordsHeld'].map(
            (m) => `${i}.flink-cutover-gate.flink-cutover-gate.${m}`,
          ),
        ).flat();
        const m = (await (
          await fetch(`${base}/jobs/${jid}/vertices/${v.id}/metrics?get=${ids.join(',')}`)
        ).json()) as { id: string; value: string }[];
        parts.push(
          m
            .map((x) => `${x.id.replace('.flink-cutover-gate.flink-cutover-gate.', ':')}=${x.value}`)
            .join(' '),
        );
      }
    }
    return `${this.color} ${jid.slice(0, 8)}: ${parts.join(' | ')}`;
  }

  /** Triggers a savepoint over REST and returns its path. */
  async savepoint(dir: string): Promise<string> {
    const base = await this.restUrl;
    const jid = await until(`${this.color} running job`, 30_000, () => this.runningJob());
    const r = (await (
      await fetch(`${base}/jobs/${jid}/savepoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ 'target-directory': dir, 'cancel-job': false }),
      })
    ).json()) as { 'request-id': string };
    return until(`${this.color} savepoint`, 60_000, async () => {
      const s = (await (await fetch(`${base}/jobs/${jid}/savepoints/${r['request-id']}`)).json()) as {
        status: { id: string };
        operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string } };
      };
      if (s.status.id !== 'COMPLETED') return undefined;
      if (!s.operation?.location)
        throw new Error(
          `savepoint failed: ${s.operation?.['failure-cause']?.['stack-trace']?.split('\n')[0]}`,
        );
      return s.operation.location;
    });
  }

  /** The newest completed checkpoint on disk (what a pod restarted with last-state would resume from). */
  latestCheckpoint(): string {
    const root = join(this.opts.stateDir, 'checkpoints');
    let best: { path: string; n: number; mtime: number } | undefined;
    for (const job of existsSync(root) ? readdirSync(root) : []) {
      const jd = join(root, job);
      if (!statSync(jd).isDirectory()) continue;
      for (const c of readdirSync(jd)) {
        const m = /^chk-(\d+)$/.exec(c);
        if (!m || !existsSync(join(jd, c, '_metadata'))) continue;
        const mtime = statSync(join(jd, c, '_metadata')).mtimeMs;
        if (!best || mtime > best.mtime) best = { path: join(jd, c), n: Number(m[1]), mtime };
      }
    }
    if (!best) throw new Error(`${this.color}: no completed checkpoint under ${root}`);
    return best.path;
  }

  /** Kills the process at once (a pod lost): uncommitted output is discarded. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
  }

  /** Restarts the job from its newest completed checkpoint, as after a pod failure. */
  async restartFromCheckpoint(): Promise<string> {
    await this.kill();
    const chk = this.latestCheckpoint();
    await this.start(chk);
    return chk;
  }
}

/** The real `flink-cutover controller` process. */
export class ControllerProcess {
  private proc: ChildProcess | undefined;
  private n = 0;
  constructor(
    private readonly opts: {
      readonly kubeconfig: string;
      readonly namespace: string;
      readonly logDir: string;
      readonly interval: string;
    },
  ) {}

  start(): void {
    const log = logTo(join(this.opts.logDir, `controller-${++this.n}.log`));
    const p = spawn(
      process.execPath,
      [
        CLI,
        'controller',
        '--kubeconfig',
        this.opts.kubeconfig,
        '--namespace',
        this.opts.namespace,
        '--interval',
        this.opts.interval,
        '--metrics-port',
        '0',
        '--relist',
        '30s',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    p.stdout!.pipe(log);
    p.stderr!.pipe(log);
    this.proc = p;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid!, signal);
    } catch {
      // already gone
    }
    await gone;
  }
}

/** Cancels a color's job over REST (what deleting its FlinkDeployment does) and ends its process. */
export async function cancelJob(job: FlinkColor): Promise<void> {
  const base = await job.restUrl;
  const jid = await job.runningJob().catch(() => undefined);
  if (jid) await fetch(`${base}/jobs/${jid}?mode=cancel`, { method: 'PATCH' }).catch(() => undefined);
  await sleep(500);
  await job.kill();
}
