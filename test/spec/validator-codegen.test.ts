/**
 * The pipeline schema's validator is compiled ahead of time (ajv standalone code, committed): it
 * must be the code of the current schema, and judge exactly as the validator compiled at run time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAjv, schemaValidator } from '../../lib/spec/schema.js';
import { schemaPath } from '../../lib/spec/paths.js';
import { GENERATED_VALIDATOR, pipelineValidatorSource } from '../../lib/spec/validator-codegen.js';

type Doc = {
  apiVersion?: string;
  metadata: { name: string };
  spec: Record<string, unknown> & { colors: Record<string, unknown>; cutover?: { watermark: string } };
};

const EXAMPLES = fileURLToPath(new URL('../../apps/pipelines', import.meta.url));

describe('the precompiled pipeline validator', () => {
  it('is current (npm run gen:validator writes it)', () => {
    expect(readFileSync(GENERATED_VALIDATOR, 'utf8')).toBe(pipelineValidatorSource());
  });

  it('gives the errors and defaults of the validator compiled at run time', () => {
    const runtime = createAjv({ useDefaults: true }).compile(
      JSON.parse(readFileSync(schemaPath('pipeline.schema.json'), 'utf8')) as object,
    );
    const pre = schemaValidator('pipeline.schema.json', { useDefaults: true });
    expect(pre).not.toBe(runtime);
    const docs: unknown[] = [];
    for (const f of readdirSync(EXAMPLES).filter((n) => n.endsWith('.yaml'))) {
      const doc = parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Doc;
      docs.push(doc);
      const broken = structuredClone(doc);
      broken.spec.extra = 1;
      broken.spec.gate = { mode: 'sometimes', lateness: 'soon' };
      broken.spec.colors.purple = {};
      broken.metadata.name = 'Not_A_Name';
      delete broken.spec.template;
      if (broken.spec.cutover) broken.spec.cutover.watermark = 'tomorrow';
      docs.push(
        broken,
        { ...doc, apiVersion: 'v0' },
        { spec: {} },
        {},
        { ...doc, spec: { ...doc.spec, policy: undefined } },
      );
    }
    for (const d of docs) {
      const a = JSON.parse(JSON.stringify(d)) as unknown;
      const b = JSON.parse(JSON.stringify(d)) as unknown;
      const ra = runtime(a);
      const rb = pre(b);
      expect(rb).toBe(ra);
      expect(b).toStrictEqual(a);
      expect(JSON.stringify(pre.errors ?? null)).toBe(JSON.stringify(runtime.errors ?? null));
    }
  });
});
