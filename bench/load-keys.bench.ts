/**
 * Loading one spec with many Flink configuration keys (the duplicate-key check must be linear):
 * - load.keys.10000 / load.keys.40000: parse and validate one spec with that many keys;
 * - baseline load.keys.1000, so the ratio shows how the cost grows (linear: about 10 and 40).
 */
import { stringify } from 'yaml';
import { loadPipelineText } from '../lib/spec/load.js';
import { medianMs, report } from './report.js';

function spec(keys: number): string {
  const flinkConfiguration: Record<string, string> = {};
  for (let i = 0; i < keys; i++) flinkConfiguration[`k${i}.key`] = 'v';
  return stringify({
    apiVersion: 'flink-cutover.dev/v1alpha1',
    kind: 'BlueGreenPipeline',
    metadata: { name: 'orders' },
    spec: {
      active: 'blue',
      colors: { blue: { image: 'reg/orders:1' } },
      template: {
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        flinkConfiguration,
        job: { jarURI: 'local:///x.jar', parallelism: 2, upgradeMode: 'savepoint' },
      },
      gate: { mode: 'filter', lateness: '5m' },
    },
  });
}

const texts = new Map([1_000, 10_000, 40_000].map((n) => [n, spec(n)]));
const ms = new Map(
  [...texts].map(([n, t]) => [n, medianMs(() => void loadPipelineText('orders.yaml', t), 3)]),
);
const base = ms.get(1_000)!;
report({ name: 'load.keys.1000', value: +base.toFixed(1), unit: 'ms', baseline: null, ratio: null });
for (const n of [10_000, 40_000])
  report({
    name: `load.keys.${n}`,
    value: +ms.get(n)!.toFixed(1),
    unit: 'ms',
    baseline: 'load.keys.1000',
    ratio: +(ms.get(n)! / base).toFixed(2),
  });
