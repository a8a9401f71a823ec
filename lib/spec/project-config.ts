import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { parseYamlSource, positionOf } from './yaml-source.js';
import type { SourceDocument } from './yaml-source.js';

/** The project configuration file synth reads from the project root. */
export const PROJECT_CONFIG_FILE = 'flink-cutover.yaml';

/** `flink-cutover.yaml`: settings of a repository that are not per pipeline. */
export interface ProjectConfig {
  /** The validation gate Jobs. */
  readonly verify?: {
    /** Image running `flink-cutover verify` (built from flink-cutover's Dockerfile). */
    readonly image?: string;
    /** Prometheus base URL for `prometheus` checks that name none. */
    readonly prometheusUrl?: string;
  };
  /** Argo CD: when present, synth also renders one Application per pipeline. */
  readonly argocd?: {
    readonly repoURL: string;
    readonly targetRevision?: string;
    readonly path?: string;
    readonly project?: string;
    readonly namespace?: string;
    readonly destinationServer?: string;
    readonly defaultNamespace?: string;
    readonly automated?: boolean;
    readonly selfHeal?: boolean;
  };
}

type FieldType = 'string' | 'boolean';
const FIELDS: Record<string, Record<string, FieldType>> = {
  verify: { image: 'string', prometheusUrl: 'string' },
  argocd: {
    repoURL: 'string',
    targetRevision: 'string',
    path: 'string',
    project: 'string',
    namespace: 'string',
    destinationServer: 'string',
    defaultNamespace: 'string',
    automated: 'boolean',
    selfHeal: 'boolean',
  },
};
const REQUIRED: Record<string, string[]> = { argocd: ['repoURL'] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed configuration (pure): the config, or diagnostics naming each problem. */
export function validateProjectConfig(
  value: unknown,
  file: string,
  src?: SourceDocument,
): { config?: ProjectConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (path: string, message: string, fix: string, key?: string) => {
    const pos = src ? positionOf(src, path, key) : { line: 0, column: 0 };
    diagnostics.push({
      ruleId: 'config',
      severity: 'error',
      file,
      line: pos.line,
      column: pos.column,
      path,
      message,
      fix,
    });
  };
  if (value === null || value === undefined) return { config: {}, diagnostics };
  if (!isObject(value)) {
    report(
      '',
      'the configuration must be a mapping',
      `write sections like \`verify: {image: ...}\` in ${PROJECT_CONFIG_FILE}`,
    );
    return { diagnostics };
  }
  for (const [section, body] of Object.entries(value)) {
    const fields = FIELDS[section];
    if (!fields) {
      report(
        '',
        `unknown section ${JSON.stringify(section)}`,
        `use ${Object.keys(FIELDS).join(' or ')}`,
        section,
      );
      continue;
    }
    if (!isObject(body)) {
      report(
        `/${section}`,
        `${section} must be a mapping`,
        `write ${section}: {${Object.keys(fields)[0]}: ...}`,
      );
      continue;
    }
    for (const [k, v] of Object.entries(body)) {
      const type = fields[k];
      if (!type)
        report(
          `/${section}`,
          `unknown field ${section}.${k}`,
          `known fields: ${Object.keys(fields).join(', ')}`,
          k,
        );
      else if (typeof v !== type || (type === 'string' && v === ''))
        report(
          `/${section}/${k}`,
          `${section}.${k} must be a${type === 'string' ? ' non-empty string' : ' boolean'}`,
          `set ${section}.${k} to a ${type}`,
        );
    }
    for (const k of REQUIRED[section] ?? []) {
      if (!(k in body)) report(`/${section}`, `${section}.${k} is required`, `add ${section}.${k}`);
    }
  }
  return diagnostics.length > 0 ? { diagnostics } : { config: value as ProjectConfig, diagnostics };
}

/** Reads `flink-cutover.yaml` (or `file`); a missing file is the empty configuration. */
export function loadProjectConfig(
  file: string,
  displayName = file,
): { config?: ProjectConfig; diagnostics: Diagnostic[] } {
  if (!existsSync(file)) return { config: {}, diagnostics: [] };
  const source = parseYamlSource(displayName, readFileSync(file, 'utf8'));
  const err = source.syntaxErrors[0];
  if (err)
    return {
      diagnostics: [
        {
          ruleId: 'yaml',
          severity: 'error',
          file: displayName,
          line: err.line,
          column: err.column,
          path: '',
          message: `invalid YAML: ${err.message}`,
        },
      ],
    };
  if (source.documents.length > 1)
    return {
      diagnostics: [
        {
          ruleId: 'config',
          severity: 'error',
          file: displayName,
          line: 0,
          column: 0,
          path: '',
          message: 'the configuration must be one YAML document',
          fix: 'remove the extra `---` documents',
        },
      ],
    };
  const doc = source.documents[0];
  return validateProjectConfig(doc ? doc.doc.toJS() : null, displayName, doc);
}

/** The configuration file of a project root. */
export function projectConfigPath(root: string): string {
  return join(root, PROJECT_CONFIG_FILE);
}
