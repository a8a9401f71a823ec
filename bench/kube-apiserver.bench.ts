/**
 * Start cost of the real API server the tests in test/kube use: etcd + kube-apiserver until
 * /readyz, then the operator CRDs until Established, then stop (median of 3). Skipped, with the
 * reason on stderr, when the binaries are not built (`.ci/kube-apiserver.sh`).
 */
import { kubeBinaries, startKubeApiServer } from '../test/support/kube-apiserver.js';
import { report } from './report.js';

const bins = kubeBinaries();
if (!bins.ok) {
  process.stderr.write(`# kube-apiserver.bench: skipped: ${bins.reason}\n`);
} else {
  const ready: number[] = [];
  const withCrds: number[] = [];
  const stop: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const kube = await startKubeApiServer();
    withCrds.push(Date.now() - t0);
    ready.push(kube.startMs);
    const t1 = Date.now();
    await kube.stop();
    stop.push(Date.now() - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  report({ name: 'kube-apiserver.ready', value: median(ready), unit: 'ms', baseline: null, ratio: null });
  report({
    name: 'kube-apiserver.ready-with-crds',
    value: median(withCrds),
    unit: 'ms',
    baseline: 'kube-apiserver.ready',
    ratio: +(median(withCrds) / median(ready)).toFixed(3),
  });
  report({ name: 'kube-apiserver.stop', value: median(stop), unit: 'ms', baseline: null, ratio: null });
}
