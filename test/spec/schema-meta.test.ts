/**
 * The validators compile the schemas without checking them against the JSON Schema meta-schema
 * (that costs more at start than compiling them): they are checked here instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { schemaPath } from '../../lib/spec/paths.js';

const dir = join(schemaPath('pipeline.schema.json'), '..');

describe('schemas/ are valid JSON Schemas', () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.schema.json'))) {
    it(f, () => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, validateFormats: false });
      const schema = JSON.parse(readFileSync(join(dir, f), 'utf8')) as object;
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    });
  }
});
