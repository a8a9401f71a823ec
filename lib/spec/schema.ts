import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';
import { schemaPath } from './paths.js';
import validatePipelineWithDefaults from './pipeline-validator.generated.js';

// ajv is CommonJS and loaded only when a schema is compiled at run time: the pipeline schema's
// validator is compiled ahead of time (validator-codegen.ts).
const require = createRequire(import.meta.url);

// ajv-formats is CommonJS; its default export is the function, or the module object holding it.
type AddFormats = (ajv: Ajv) => Ajv;
export function addFormats(ajv: Ajv): Ajv {
  const m = require('ajv-formats') as { default?: AddFormats } & AddFormats;
  return (m.default ?? m)(ajv);
}

const compiled = new Map<string, ValidateFunction>();

/** The options every flink-cutover schema is checked with. */
export function ajvOptions(options: { useDefaults?: boolean } = {}): Options {
  return {
    allErrors: true,
    verbose: true,
    strict: true,
    useDefaults: options.useDefaults ?? false,
    allowUnionTypes: true,
    // The schemas are ours and tested (test/spec): not checked against the meta-schema on every
    // start, which costs more than compiling them.
    validateSchema: false,
  };
}

/** A fresh ajv instance configured the way every flink-cutover schema is checked. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof AjvModule;
  const ajv = new AjvClass(ajvOptions(options));
  addFormats(ajv);
  return ajv;
}

/**
 * The compiled validator of `schemas/<name>` (cached). With `useDefaults`, validation fills in the
 * schema's defaults in the data it checks.
 */
export function schemaValidator(name: string, options: { useDefaults?: boolean } = {}): ValidateFunction {
  if (name === 'pipeline.schema.json' && options.useDefaults)
    return validatePipelineWithDefaults as unknown as ValidateFunction;
  const key = `${name}|${options.useDefaults ? 'd' : ''}`;
  let v = compiled.get(key);
  if (!v) {
    const schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object;
    v = createAjv(options).compile(schema);
    compiled.set(key, v);
  }
  return v;
}

export type { ErrorObject };
