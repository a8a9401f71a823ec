import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderLoaded } from '../../lib/constructs/render.js';
import { loadPipelineDir } from '../../lib/spec/load.js';
import { crdSpecValidator } from '../support/crd.js';
import { describeWithReference } from '../support/reference.js';

const loaded = loadPipelineDir('apps/pipelines');
const rendered = renderLoaded(loaded.pipelines);

describe('example pipelines', () => {
  it('cover the three lifecycle states', () => {
    const states = rendered.map((r) =>
      r.pipeline.spec.cutover
        ? 'Cutover'
        : Object.keys(r.pipeline.spec.colors).length === 2
          ? 'Staged'
          : 'Steady',
    );
    expect(new Set(states)).toEqual(new Set(['Steady', 'Staged', 'Cutover']));
  });

  it('use Kafka sources and exactly-once Kafka sinks with per-color groups and transactional ids', () => {
    for (const r of rendered) {
      expect(
        r.pipeline.spec.sources.every((s) => s.kind === 'kafka' && s.consumerGroup?.includes('{{color}}')),
      ).toBe(true);
      expect(
        r.pipeline.spec.sinks.every(
          (s) =>
            s.kind === 'kafka' &&
            s.deliveryGuarantee === 'exactly-once' &&
            s.transactionalIdPrefix?.includes('{{color}}'),
        ),
      ).toBe(true);
    }
  });

  it('carry no construct-path hashes (names and labels are explicit)', () => {
    for (const r of rendered) {
      expect(r.yaml).not.toMatch(/c8[0-9a-f]{6}/);
      expect(r.yaml).not.toContain('cdk8s.io/metadata.addr');
    }
  });

  it('are committed in dist/ exactly as rendered', () => {
    for (const r of rendered) expect(readFileSync(`dist/${r.fileName}`, 'utf8')).toBe(r.yaml);
  });

  for (const r of rendered) {
    it(`snapshot: ${r.fileName}`, () => {
      expect(r.yaml).toMatchSnapshot();
    });
  }
});

describeWithReference('rendered FlinkDeployments against the operator CRD (release 1.15.0)', () => {
  const validate = crdSpecValidator('flinkdeployments.flink.apache.org-v1.yml');

  it('every FlinkDeployment in dist/ validates', () => {
    let count = 0;
    for (const r of rendered) {
      const docs = parseAllDocuments(readFileSync(`dist/${r.fileName}`, 'utf8'));
      for (const d of Array.isArray(docs) ? docs : []) {
        const o = d.toJS() as { kind: string; metadata: { name: string }; spec: unknown };
        if (o.kind !== 'FlinkDeployment') continue;
        count++;
        const ok = validate(o.spec);
        expect(ok, `${r.fileName} ${o.metadata.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(count).toBe(5);
  });

  it('the strict validator catches an unknown field and a bad enum', () => {
    const spec = rendered[0]!.manifests.find((m) => m.kind === 'FlinkDeployment')!.spec as Record<
      string,
      unknown
    >;
    expect(validate({ ...spec, bogus: 1 })).toBe(false);
    expect(validate({ ...spec, flinkVersion: 'v9_9' })).toBe(false);
  });
});
