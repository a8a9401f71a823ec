import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { readReference } from './reference.js';

type Schema = Record<string, unknown>;

/**
 * Makes a CRD's structural schema strict: the API server silently prunes fields a schema does not
 * know, which in a manifest is a bug; so every object schema that neither lists
 * additionalProperties nor preserves unknown fields gets `additionalProperties: false`.
 */
function strict(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Schema>).map(([k, v]) => [k, strict(v)]),
    );
    if (out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields'])
      out.additionalProperties = false;
  }
  if (out.items && typeof out.items === 'object') out.items = strict(out.items as Schema);
  if (out.additionalProperties && typeof out.additionalProperties === 'object')
    out.additionalProperties = strict(out.additionalProperties as Schema);
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

/** A validator for the `spec` of a CRD in ../shared/reference/crds (strict about unknown fields). */
export function crdSpecValidator(file: string): ValidateFunction {
  const crd = parse(readReference(`crds/${file}`)) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.name === 'v1beta1') ?? crd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema as { properties: { spec: Schema } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(strict(root.properties.spec));
}

/** A validator for the `status` of a CRD in ../shared/reference/crds (strict about unknown fields). */
export function crdStatusValidator(file: string): ValidateFunction {
  const crd = parse(readReference(`crds/${file}`)) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.name === 'v1beta1') ?? crd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema as { properties: { status: Schema } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(strict(root.properties.status));
}
