/**
 * The controller's integration environment: a Kubernetes API (a KubeHarness: the fake by default),
 * two fake JobManagers with gates, a desired ConfigMap written through the API as Argo CD would,
 * and controllers started with short intervals. Waits are for conditions, never for durations.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { CutoverController, ControllerOptions, LogLine } from '../../lib/controller/controller.js';
import { CutoverController as Controller } from '../../lib/controller/controller.js';
import { loadKubeConfig } from '../../lib/controller/kube.js';
import type { CutoverDesired } from '../../lib/gate/contract.js';
import { parseCutoverStatus, renderCutoverConfigMap } from '../../lib/gate/contract.js';
import type { CutoverStatus } from '../../lib/gate/contract.js';
import { FakeJobManager } from '../support/fake-jobmanager.js';
import type { KubeHarness, KubeHarnessFactory } from '../support/fake-kube.js';

export const NS = 'streaming';
export const W = 1_800_000_000_000;
export const LATENESS = 60_000;

export interface Env {
  kube: KubeHarness;
  blue: FakeJobManager;
  green: FakeJobManager;
  core: CoreV1Api;
  controllers: CutoverController[];
  logs: LogLine[];
  desired(over?: Partial<CutoverDesired>, name?: string): Promise<void>;
  status(name?: string): Promise<CutoverStatus | undefined>;
  start(over?: Partial<ControllerOptions>, kubeconfigPath?: string): Promise<CutoverController>;
  until<T>(
    what: string,
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs?: number,
  ): Promise<T>;
  untilPhase(phase: CutoverStatus['phase'], generation?: number, name?: string): Promise<CutoverStatus>;
  /** Every gate subtask of `color` reports these values. */
  gates(
    color: 'blue' | 'green',
    prepared: number,
    maxAtPrepare: number | null,
    watermark: number | null,
  ): void;
  close(): Promise<void>;
}

export function desiredData(
  env: { blue: FakeJobManager; green: FakeJobManager },
  over: Partial<CutoverDesired> = {},
): Record<string, string> {
  const d: CutoverDesired = {
    pipeline: 'orders',
    active: 'blue',
    generation: 1,
    to: 'green',
    watermark: W,
    lateness: LATENESS,
    gateMode: 'filter',
    colors: { blue: { restUrl: env.blue.url, gate: true }, green: { restUrl: env.green.url, gate: true } },
    ...over,
  };
  if (d.generation === 0) {
    delete d.to;
    delete d.watermark;
  }
  return renderCutoverConfigMap(d);
}

export async function startEnv(factory: KubeHarnessFactory): Promise<Env> {
  const kube = await factory();
  const blue = await FakeJobManager.start({ watermarkRate: 0 });
  const green = await FakeJobManager.start({ watermarkRate: 0 });
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const controllers: CutoverController[] = [];
  const logs: LogLine[] = [];
  const env: Env = {
    kube,
    blue,
    green,
    core,
    controllers,
    logs,
    async desired(over = {}, name = 'orders-cutover') {
      const body = {
        metadata: {
          name,
          namespace: NS,
          labels: {
            'flink-cutover.dev/role': 'desired',
            'flink-cutover.dev/pipeline': name.replace(/-cutover$/, ''),
          },
        },
        data: desiredData(env, over),
      };
      try {
        const cur = await core.readNamespacedConfigMap({ name, namespace: NS });
        await core.replaceNamespacedConfigMap({
          name,
          namespace: NS,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata!.resourceVersion! } },
        });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        await core.createNamespacedConfigMap({ namespace: NS, body });
      }
    },
    async status(name = 'orders-cutover') {
      try {
        const cm = await core.readNamespacedConfigMap({ name: `${name}-status`, namespace: NS });
        const r = parseCutoverStatus(cm.data ?? {});
        if (!r.ok) throw new Error(`invalid status: ${JSON.stringify(r.errors)}`);
        return r.value;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    async start(over = {}, kubeconfigPath = kube.kubeconfigPath) {
      const c = new Controller({
        kubeConfig: loadKubeConfig(kubeconfigPath),
        namespace: NS,
        intervalMs: 50,
        relistMs: 60_000,
        apiTimeoutMs: 2000,
        flinkHttp: { timeoutMs: 1000, retries: 0 },
        backoff: { baseDelayMs: 20, maxDelayMs: 200 },
        log: (l) => logs.push(l),
        ...over,
      });
      controllers.push(c);
      await c.start();
      return c;
    },
    async until(what, fn, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const v = await fn();
          if (v !== undefined && v !== false) return v as never;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}; logs:\n${logs
              .slice(-15)
              .map((l) => JSON.stringify(l))
              .join('\n')}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    untilPhase(phase, generation = 1, name = 'orders-cutover') {
      return env.until(`${name} generation ${generation} ${phase}`, async () => {
        const s = await env.status(name);
        return s && s.generation === generation && s.phase === phase ? s : undefined;
      });
    },
    gates(color, prepared, max, watermark) {
      (color === 'blue' ? blue : green).setGates({
        preparedGeneration: prepared,
        maxTimestampAtPrepare: max,
        gateWatermark: watermark,
      });
    },
    async close() {
      for (const c of controllers) await c.stop();
      await blue.close();
      await green.close();
      await kube.close();
    },
  };
  env.gates('blue', 0, null, W - 600_000);
  env.gates('green', 0, null, W - 600_000);
  return env;
}
