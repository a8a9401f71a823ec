import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitopsRepoFiles } from '../../lib/repo/init-repo.js';
import { schemaPath } from '../../lib/spec/paths.js';
import { PROJECT_CONFIG_FILE, validateProjectConfig } from '../../lib/spec/project-config.js';

const schema = JSON.parse(readFileSync(schemaPath('project-config.schema.json'), 'utf8')) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
const validateSchema = ajv.compile(schema);

describe('flink-cutover.yaml', () => {
  const valid: [string, unknown][] = [
    ["this repository's", parse(readFileSync(PROJECT_CONFIG_FILE, 'utf8'))],
    [
      "init-repo's (with a repo URL)",
      parse(gitopsRepoFiles({ name: 'p', repoURL: 'https://x' })[PROJECT_CONFIG_FILE]!),
    ],
    ["init-repo's (without)", parse(gitopsRepoFiles({ name: 'p' })[PROJECT_CONFIG_FILE]!)],
    ['an empty one', {}],
  ];
  for (const [name, config] of valid) {
    it(`${name} is valid for the editor schema and for synth`, () => {
      expect(validateSchema(config), JSON.stringify(validateSchema.errors)).toBe(true);
      expect(validateProjectConfig(config, 'f').diagnostics).toEqual([]);
    });
  }

  const invalid: [string, unknown, RegExp][] = [
    ['an unknown section', { argo: {} }, /unknown section "argo"/],
    ['an unknown field', { verify: { img: 'x' } }, /unknown field verify\.img/],
    ['a missing repoURL', { argocd: { path: 'dist' } }, /argocd\.repoURL is required/],
    ['a wrong type', { argocd: { repoURL: 'x', automated: 'yes' } }, /argocd\.automated must be a boolean/],
    ['an empty image', { verify: { image: '' } }, /verify\.image must be a non-empty string/],
    ['a list', [1], /must be a mapping/],
  ];
  for (const [name, config, message] of invalid) {
    it(`${name} is refused by both the schema and synth`, () => {
      expect(validateSchema(config)).toBe(false);
      const r = validateProjectConfig(config, 'flink-cutover.yaml');
      expect(r.config).toBeUndefined();
      expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(message);
      for (const d of r.diagnostics)
        expect(d).toMatchObject({
          ruleId: 'config',
          severity: 'error',
          file: 'flink-cutover.yaml',
          fix: expect.any(String),
        });
    });
  }
});
