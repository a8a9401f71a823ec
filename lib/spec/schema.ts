import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { schemaPath } from './paths.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

const compiled = new Map<string, ValidateFunction>();

/** A fresh ajv instance configured the way every flink-cutover schema is checked. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    useDefaults: options.useDefaults ?? false,
    allowUnionTypes: true,
    // The schemas are ours and tested (test/spec): not checked against the meta-schema on every
    // start, which costs more than compiling them.
    validateSchema: false,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * The compiled validator of `schemas/<name>` (cached). With `useDefaults`, validation fills in the
 * schema's defaults in the data it checks.
 */
export function schemaValidator(name: string, options: { useDefaults?: boolean } = {}): ValidateFunction {
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
