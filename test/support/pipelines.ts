/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A minimal valid steady pipeline as an object; `patch` edits a deep copy. */
export function steadyPipeline(patch?: (p: any) => void): any {
  const p = {
    apiVersion: 'flink-cutover.dev/v1alpha1',
    kind: 'BlueGreenPipeline',
    metadata: { name: 'orders', namespace: 'streaming', labels: { team: 'payments' } },
    spec: {
      active: 'blue',
      colors: { blue: { image: 'reg/orders:1.4.2' } },
      template: {
        flinkVersion: 'v1_20',
        serviceAccount: 'flink',
        flinkConfiguration: { 'state.checkpoints.dir': 's3://b/chk/{{pipeline}}/{{color}}' },
        jobManager: { resource: { memory: '2048m', cpu: 1 } },
        taskManager: { resource: { memory: '4096m', cpu: 2 } },
        job: { jarURI: 'local:///opt/flink/usrlib/orders.jar', parallelism: 8, upgradeMode: 'savepoint' },
      },
      gate: { mode: 'filter', lateness: '5m' },
      sources: [{ name: 'orders', kind: 'kafka', consumerGroup: 'orders-{{color}}' }],
      sinks: [
        {
          name: 'out',
          kind: 'kafka',
          deliveryGuarantee: 'exactly-once',
          transactionalIdPrefix: 'out-{{color}}',
        },
      ],
    },
  };
  const copy = JSON.parse(JSON.stringify(p));
  patch?.(copy);
  return copy;
}

/** A staged pipeline (blue active, green standby from blue's checkpoint). */
export function stagedPipeline(patch?: (p: any) => void): any {
  return steadyPipeline((p) => {
    p.spec.colors.green = {
      image: 'reg/orders:1.5.0',
      initialSavepointPath: 's3://b/chk/orders/blue/chk-4711',
    };
    patch?.(p);
  });
}

/** A pipeline cutting over (generation 1, blue to green). */
export function cutoverPipeline(patch?: (p: any) => void): any {
  return stagedPipeline((p) => {
    p.spec.cutover = { generation: 1, to: 'green', watermark: '2026-12-01T12:00:00Z' };
    patch?.(p);
  });
}

/** A temp folder holding the given files (name -> text or object rendered as YAML). */
export function tempDir(files: Record<string, string | object> = {}, prefix = 'fc-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}
