/**
 * The pipeline schema's validator as ajv standalone code, compiled ahead of time so that a run
 * neither loads ajv's compiler nor compiles the schema (`lib/spec/pipeline-validator.generated.ts`,
 * committed; test/spec/validator-codegen.test.ts checks it is current). After changing
 * schemas/pipeline.schema.json: `npm run gen:validator`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';
import type * as AjvModule from 'ajv';
import { ajvOptions, addFormats } from './schema.js';
import { schemaPath } from './paths.js';

const require = createRequire(import.meta.url);

/** Where the generated validator lives (beside this module, as TypeScript source). */
export const GENERATED_VALIDATOR = join(
  dirname(fileURLToPath(import.meta.url)),
  'pipeline-validator.generated.ts',
);

/** The text of lib/spec/pipeline-validator.generated.ts for the current schema. */
export function pipelineValidatorSource(): string {
  const { Ajv: AjvClass, _ } = require('ajv') as typeof AjvModule;
  const standalone = (require('ajv/dist/standalone') as { default: (ajv: Ajv, v: unknown) => string })
    .default;
  const ajv = new AjvClass({
    ...ajvOptions({ useDefaults: true }),
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(schemaPath('pipeline.schema.json'), 'utf8')) as object;
  const code = standalone(ajv, ajv.compile(schema));
  return [
    '// Generated from schemas/pipeline.schema.json by lib/spec/validator-codegen.ts (npm run gen:validator): ajv',
    '// standalone code with the options of lib/spec/schema.ts, useDefaults. Do not edit.',
    '// @ts-nocheck',
    '/* eslint-disable */',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(GENERATED_VALIDATOR, pipelineValidatorSource());
  process.stdout.write(`wrote ${GENERATED_VALIDATOR}\n`);
}
