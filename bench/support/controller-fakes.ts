/**
 * The controller benchmark's fakes, in a process of their own (so the controller's RSS is its
 * own): a FakeKube and one HTTP server answering for 2 x N JobManagers under path prefixes
 * `/p<i>/<color>`, counting requests per pipeline. Driven over IPC by bench/controller.bench.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderCutoverConfigMap } from '../../lib/gate/contract.js';
import { FakeJobManager } from '../../test/support/fake-jobmanager.js';
import { FakeKube } from '../../test/support/fake-kube.js';

const W = 1_800_000_000_000;
const NS = 'bench';
type Msg =
  | { id: number; cmd: 'setup'; n: number; open: number }
  | { id: number; cmd: 'counts' }
  | { id: number; cmd: 'prepare' }
  | { id: number; cmd: 'armed' };

const kube = await FakeKube.start();
const jms = new Map<string, FakeJobManager>();
const counts = new Map<number, number>();
let open = 0;
const reportedAt = new Map<number, number>();
const armedAt = new Map<number, number>();
kube.onRequest = (r) => {
  const m = /\/configmaps\/p(\d+)-cutover-status$/.exec(r.path);
  if (
    m &&
    (r.method === 'PUT' || r.method === 'POST') &&
    (r.body as { data?: { phase?: string } })?.data?.phase === 'Armed' &&
    !armedAt.has(Number(m[1]))
  )
    armedAt.set(Number(m[1]), Date.now());
  if (r.method === 'POST' && r.path.endsWith('/configmaps')) {
    const name =
      (r.body as { metadata?: { name?: string }; data?: { phase?: string } })?.metadata?.name ?? '';
    const mm = /^p(\d+)-cutover-status$/.exec(name);
    if (
      mm &&
      (r.body as { data?: { phase?: string } }).data?.phase === 'Armed' &&
      !armedAt.has(Number(mm[1]))
    )
      armedAt.set(Number(mm[1]), Date.now());
  }
};
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/p(\d+)\/(blue|green)(\/.*)$/.exec(url.pathname);
  const jm = m ? jms.get(`${m[1]}/${m[2]}`) : undefined;
  if (!m || !jm) {
    res.writeHead(404).end('{"errors":["not found"]}');
    return;
  }
  counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  const [status, body] = jm.route(new URL(m[3]! + url.search, 'http://x'));
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

process.on('message', (msg: Msg) => {
  const reply = (v: unknown) => process.send!({ id: msg.id, value: v });
  if (msg.cmd === 'setup') {
    open = msg.open;
    for (let i = 0; i < msg.n; i++) {
      for (const c of ['blue', 'green'] as const) {
        const jm = FakeJobManager.detached({ watermarkRate: 0 });
        jm.setGates({ preparedGeneration: 0, maxTimestampAtPrepare: null, gateWatermark: W - 600_000 });
        jms.set(`${i}/${c}`, jm);
      }
      const generation = i < open ? 1 : 0;
      const data = renderCutoverConfigMap({
        pipeline: `p${i}`,
        active: 'blue',
        generation,
        ...(generation ? { to: 'green' as const, watermark: W } : {}),
        lateness: 60_000,
        gateMode: 'filter',
        colors: {
          blue: { restUrl: `${base}/p${i}/blue`, gate: true },
          green: { restUrl: `${base}/p${i}/green`, gate: true },
        },
      });
      kube.put('configmaps', {
        metadata: { name: `p${i}-cutover`, namespace: NS, labels: { 'flink-cutover.dev/role': 'desired' } },
        data,
      });
    }
    reply({ kubeconfigPath: kube.kubeconfigPath, namespace: NS });
  } else if (msg.cmd === 'counts') {
    reply(Object.fromEntries(counts));
  } else if (msg.cmd === 'prepare') {
    const now = Date.now();
    for (let i = 0; i < open; i++) {
      for (const c of ['blue', 'green'] as const)
        jms
          .get(`${i}/${c}`)!
          .setGates({ preparedGeneration: 1, maxTimestampAtPrepare: W - 1000, gateWatermark: W - 500_000 });
      reportedAt.set(i, now);
    }
    reply(now);
  } else if (msg.cmd === 'armed') {
    reply(Object.fromEntries([...armedAt].map(([i, t]) => [i, t - (reportedAt.get(i) ?? t)])));
  }
});
process.send!({ id: 0, value: 'ready' });
