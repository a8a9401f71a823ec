import { readdirSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { escapePointerSegment, toPointer } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { colorsOf, deploymentName, MAX_NAME } from './effective.js';
import { credentialIn } from './credentials.js';
import { isReservedKey, keyProblem, labelValueProblem, MAX_ANNOTATIONS_BYTES } from './k8s-meta.js';
import { schemaValidator } from './schema.js';
import type { ErrorObject } from './schema.js';
import type { JsonObject, Pipeline, PipelineInput } from './types.js';
import { describeFlinkConfigurationConflict, normalizeFlinkConfiguration } from './flink-configuration.js';
import { API_VERSION, KIND } from './types.js';
import { fastParseYaml } from './fast-yaml.js';
import { parseYamlSource, positionOf } from './yaml-source.js';
import type { SourceDocument, SourceFile } from './yaml-source.js';
import { InputFileError, readRegularFile } from './read-file.js';

export const PIPELINE_SCHEMA = 'pipeline.schema.json';

/** A pipeline read from a file, with the means to point back into its YAML. */
export interface LoadedPipeline {
  /** The file as the user named it (relative to the working directory where possible). */
  readonly file: string;
  readonly source: SourceDocument;
  /** The document as written (no defaults). */
  readonly raw: unknown;
  /** Validated, with defaults applied. */
  readonly pipeline: Pipeline;
}

export interface LoadResult {
  readonly pipelines: LoadedPipeline[];
  readonly diagnostics: Diagnostic[];
}

function diag(
  src: SourceDocument | undefined,
  file: string,
  path: string,
  message: string,
  fix?: string,
  key?: string,
  pipeline?: string,
): Diagnostic {
  const pos = src ? positionOf(src, path, key) : { line: 0, column: 0 };
  const d: Diagnostic = {
    ruleId: 'schema',
    severity: 'error',
    file,
    line: pos.line,
    column: pos.column,
    path: key ? `${path}/${key}` : path,
    message,
  };
  if (fix) d.fix = fix;
  if (pipeline) d.pipeline = pipeline;
  return d;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${show(v)}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: unknown = data;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Turns one ajv error into a diagnostic a person can act on. */
function fromAjv(
  e: ErrorObject,
  src: SourceDocument | undefined,
  file: string,
  data: unknown,
  pipeline?: string,
): Diagnostic | undefined {
  const path = e.instancePath;
  const value = valueAt(data, path);
  const field = path.split('/').pop() || '(document)';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return diag(
        src,
        file,
        path,
        `unknown field "${extra}"${path ? ` in ${path}` : ''}`,
        `remove it or fix its spelling; allowed here: ${allowed.join(', ')}`,
        extra,
        pipeline,
      );
    }
    case 'propertyNames':
      return undefined; // reported by the nested enum error below, with the key's position
    case 'required':
      if (path === '/metadata' && p.missingProperty === 'namespace')
        return diag(
          src,
          file,
          path,
          'missing required field "namespace" in /metadata: the objects would render without one (applied wherever the sync points) while the reader RoleBinding has to name the jobs\' service accounts in a namespace',
          'add metadata.namespace: the namespace the jobs run in, e.g. namespace: streaming',
          undefined,
          pipeline,
        );
      return diag(
        src,
        file,
        path,
        `missing required field "${String(p.missingProperty)}"${path ? ` in ${path}` : ''}`,
        `add ${String(p.missingProperty)}`,
        undefined,
        pipeline,
      );
    case 'type':
      return diag(
        src,
        file,
        path,
        `${field} must be ${String(p.type)}, not ${typeName(value)}`,
        `write ${field} as ${String(p.type)}`,
        undefined,
        pipeline,
      );
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(show).join(', ');
      if (e.propertyName !== undefined) {
        return diag(
          src,
          file,
          path,
          `${show(e.propertyName)} is not allowed here: keys must be one of ${allowed}`,
          path === '/spec/colors' ? 'colors are named blue and green' : `use one of ${allowed}`,
          e.propertyName,
          pipeline,
        );
      }
      return diag(
        src,
        file,
        path,
        `${field} is ${show(value)}; must be one of ${allowed}`,
        `use one of ${allowed}`,
        undefined,
        pipeline,
      );
    }
    case 'const':
      return diag(
        src,
        file,
        path,
        `${field} must be ${show(p.allowedValue)}, not ${show(value)}`,
        `write ${field}: ${String(p.allowedValue)}`,
        undefined,
        pipeline,
      );
    case 'pattern': {
      const schemaDesc = String((e.parentSchema as { description?: string })?.description ?? '');
      if (schemaDesc.includes('A duration')) {
        return diag(
          src,
          file,
          path,
          `${field} is ${show(value)}, which is not a duration`,
          'use <number><unit> with unit ms, s, m, h or d, e.g. 90s, 15m, 1h30m',
          undefined,
          pipeline,
        );
      }
      return diag(
        src,
        file,
        path,
        `${field} is ${show(value)}, which does not match ${String(p.pattern)}`,
        schemaDesc || 'use lowercase letters, digits and "-", starting with a letter',
        undefined,
        pipeline,
      );
    }
    case 'format':
      if (p.format === 'date-time') {
        return diag(
          src,
          file,
          path,
          `${field} is ${show(value)}, which is not an ISO-8601 date-time with a zone`,
          'write it like 2026-12-01T12:00:00Z',
          undefined,
          pipeline,
        );
      }
      return diag(
        src,
        file,
        path,
        `${field} is not a valid ${String(p.format)}`,
        undefined,
        undefined,
        pipeline,
      );
    case 'maxLength': {
      const desc = String((e.parentSchema as { description?: string })?.description ?? '');
      return diag(
        src,
        file,
        path,
        `${field} ${show(value)} is ${String(value).length} characters; at most ${String(p.limit)} allowed`,
        desc || 'shorten it',
        undefined,
        pipeline,
      );
    }
    case 'minProperties':
    case 'maxProperties':
      return diag(
        src,
        file,
        path,
        `${field} ${e.message ?? ''}`,
        path === '/spec/colors'
          ? 'list one color when steady, two (blue and green) when staged or cutting over'
          : undefined,
        undefined,
        pipeline,
      );
    default:
      return diag(src, file, path, `${field} ${e.message ?? 'is invalid'}`, undefined, undefined, pipeline);
  }
}

/** Checks the schema cannot express: references between fields and derived name lengths. */
function semanticChecks(p: Pipeline, file: string, source: () => SourceDocument | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  let cached: SourceDocument | undefined | null = null;
  const lazy = {
    get src(): SourceDocument | undefined {
      if (cached === null) cached = source();
      return cached;
    },
  };
  const name = p.metadata.name;
  const colors = colorsOf(p);
  if (!colors.includes(p.spec.active)) {
    out.push(
      diag(
        lazy.src,
        file,
        '/spec/active',
        `active color "${p.spec.active}" is not among the colors (${colors.join(', ')})`,
        `add colors.${p.spec.active} or set active to ${colors[0]}`,
        undefined,
        name,
      ),
    );
  }
  const cut = p.spec.cutover;
  if (cut) {
    if (cut.to === p.spec.active) {
      out.push(
        diag(
          lazy.src,
          file,
          '/spec/cutover/to',
          `cutover to "${cut.to}", which is already the active color`,
          `set cutover.to to the standby color, or remove the cutover block`,
          undefined,
          name,
        ),
      );
    } else if (!colors.includes(cut.to)) {
      out.push(
        diag(
          lazy.src,
          file,
          '/spec/cutover/to',
          `cutover to "${cut.to}", which is not among the colors (${colors.join(', ')})`,
          `stage colors.${cut.to} first (flink-cutover stage)`,
          undefined,
          name,
        ),
      );
    }
    if (Number.isNaN(Date.parse(cut.watermark))) {
      out.push(
        diag(
          lazy.src,
          file,
          '/spec/cutover/watermark',
          `watermark "${cut.watermark}" is not a date-time`,
          'write it like 2026-12-01T12:00:00Z',
          undefined,
          name,
        ),
      );
    }
  }
  for (const c of colors) {
    const dep = deploymentName(p, c);
    if (`${dep}-rest`.length > MAX_NAME) {
      const explicit = p.spec.colors[c]?.deploymentName !== undefined;
      out.push(
        diag(
          lazy.src,
          file,
          explicit ? `/spec/colors/${c}/deploymentName` : '/metadata/name',
          `"${dep}-rest" (the operator's REST service of color ${c}) is ${dep.length + 5} characters; Kubernetes allows ${MAX_NAME}`,
          explicit
            ? 'shorten deploymentName'
            : `shorten the pipeline name to at most ${MAX_NAME - '-green-rest'.length} characters`,
          undefined,
          name,
        ),
      );
    }
  }
  // With two colors a validation gate Job `<name>-<standby>-verify` is rendered; a Job's name
  // becomes its pods' job-name label, so it must fit in 63 characters too.
  const standby = colors.find((c) => c !== p.spec.active);
  if (standby && `${name}-${standby}-verify`.length > MAX_NAME) {
    out.push(
      diag(
        lazy.src,
        file,
        '/metadata/name',
        `"${name}-${standby}-verify" (the validation gate Job of the standby color) is ${name.length + standby.length + 8} characters; Kubernetes allows ${MAX_NAME}`,
        `shorten the pipeline name to at most ${MAX_NAME - '-green-verify'.length} characters`,
        undefined,
        name,
      ),
    );
  }
  const seen = new Map<string, string>();
  for (const c of colors) {
    const dep = deploymentName(p, c);
    if (seen.has(dep)) {
      out.push(
        diag(
          lazy.src,
          file,
          `/spec/colors/${c}`,
          `colors ${seen.get(dep)} and ${c} both render FlinkDeployment "${dep}"`,
          'give each color its own deploymentName',
          undefined,
          name,
        ),
      );
    }
    seen.set(dep, c);
  }
  for (const [list, kind] of [
    [p.spec.sources, 'sources'],
    [p.spec.sinks, 'sinks'],
  ] as const) {
    const names = new Set<string>();
    list.forEach((s, i) => {
      if (names.has(s.name))
        out.push(
          diag(
            lazy.src,
            file,
            `/spec/${kind}/${i}/name`,
            `${kind} name "${s.name}" is used twice`,
            'give each one its own name',
            undefined,
            name,
          ),
        );
      names.add(s.name);
    });
  }
  for (const where of ['labels', 'annotations'] as const) {
    const map = p.metadata[where] ?? {};
    let bytes = 0;
    for (const [k, v] of Object.entries(map)) {
      bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
      if (isReservedKey(k, where)) {
        out.push(
          diag(
            lazy.src,
            file,
            `/metadata/${where}`,
            `${where.slice(0, -1)} "${k}" is reserved: flink-cutover and Argo CD set it themselves (copied onto every object it would change what they do)`,
            'remove it',
            k,
            name,
          ),
        );
        continue;
      }
      const kp = keyProblem(k);
      if (kp) {
        out.push(
          diag(
            lazy.src,
            file,
            `/metadata/${where}`,
            `${where.slice(0, -1)} key "${k}" is not valid in Kubernetes: ${kp}`,
            'use a key like example.com/team or team',
            k,
            name,
          ),
        );
        continue;
      }
      const vp = where === 'labels' ? labelValueProblem(v) : undefined;
      if (vp)
        out.push(
          diag(
            lazy.src,
            file,
            `/metadata/labels/${escapePointerSegment(k)}`,
            `label ${k}: ${vp}`,
            'shorten the value or move it to an annotation',
            undefined,
            name,
          ),
        );
    }
    if (bytes > MAX_ANNOTATIONS_BYTES && where === 'annotations')
      out.push(
        diag(
          lazy.src,
          file,
          '/metadata/annotations',
          `the annotations are ${bytes} bytes; Kubernetes allows ${MAX_ANNOTATIONS_BYTES} per object`,
          'move large values elsewhere',
          undefined,
          name,
        ),
      );
  }
  // The verify Job carries the validation settings in its args, readable by everyone who can read
  // the Job: a credential there is never rendered.
  const checks: [string, string | undefined][] = [
    ...p.spec.validation.prometheus.map((q, i): [string, string | undefined] => [
      `/spec/validation/prometheus/${i}/url`,
      q.url,
    ]),
    ...p.spec.validation.http.map((h, i): [string, string | undefined] => [
      `/spec/validation/http/${i}/url`,
      h.url,
    ]),
  ];
  for (const [path, url] of checks) {
    const why = url === undefined ? undefined : credentialIn(url);
    if (why)
      out.push(
        diag(
          lazy.src,
          file,
          path,
          `the URL holds ${why}; it would be rendered in clear text into the validation Job's args`,
          'remove the credential: give the endpoint access without one (a NetworkPolicy, an auth proxy beside it) or check it from Prometheus',
          undefined,
          name,
        ),
      );
  }
  const durations: [string, string][] = [
    ['/spec/gate/lateness', p.spec.gate.lateness],
    ['/spec/validation/minRunning', p.spec.validation.minRunning],
    ['/spec/validation/maxWatermarkLag', p.spec.validation.maxWatermarkLag],
    ['/spec/policy/minLeadTime', p.spec.policy.minLeadTime],
    ['/spec/policy/teardownDelay', p.spec.policy.teardownDelay],
  ];
  for (const [path, text] of durations) {
    try {
      parseDuration(text);
    } catch (err) {
      out.push(diag(lazy.src, file, path, (err as Error).message, undefined, undefined, name));
    }
  }
  // Two forms of one Flink key in one map (dotted and nested): the operator flattens both and
  // would use one of them, while the rules read the other.
  const confs: [JsonObject | undefined, string[]][] = [
    [p.spec.template.flinkConfiguration, ['spec', 'template', 'flinkConfiguration']],
    ...colors.map((c): [JsonObject | undefined, string[]] => [
      p.spec.colors[c]?.flinkConfiguration,
      ['spec', 'colors', c, 'flinkConfiguration'],
    ]),
  ];
  for (const [conf, base] of confs) {
    for (const conflict of normalizeFlinkConfiguration(conf).conflicts) {
      const d = describeFlinkConfigurationConflict(conflict, base);
      out.push(diag(lazy.src, file, d.pointer, d.message, d.fix, undefined, name));
    }
  }
  const job = p.spec.template.job;
  if (!job || (job.jarURI === undefined && job.entryClass === undefined)) {
    out.push(
      diag(
        lazy.src,
        file,
        job ? '/spec/template/job' : '/spec/template',
        'the template has no job (jarURI or entryClass): a session cluster cannot be blue/greened',
        'add template.job with jarURI (and entryClass when the jar has no main class)',
        undefined,
        name,
      ),
    );
  }
  return out;
}

/** Where diagnostics point: a parsed document, built only when there is something to report. */
type SourceProvider = () => SourceDocument | undefined;

function validateData(
  raw: unknown,
  file: string,
  source: SourceProvider,
  owned = false,
  copy: (v: unknown) => unknown = structuredClone,
): { pipeline?: Pipeline; diagnostics: Diagnostic[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      diagnostics: [
        diag(
          source(),
          file,
          '',
          'the document is not a YAML map',
          `start it with apiVersion: ${API_VERSION} and kind: ${KIND}`,
        ),
      ],
    };
  }
  const name =
    typeof (raw as { metadata?: { name?: unknown } }).metadata?.name === 'string'
      ? (raw as { metadata: { name: string } }).metadata.name
      : undefined;
  const kind = (raw as { kind?: unknown }).kind;
  if (kind !== undefined && kind !== KIND) {
    return {
      diagnostics: [
        diag(
          source(),
          file,
          '/kind',
          `this document is a ${typeof kind === 'string' ? kind : JSON.stringify(kind)}, not a ${KIND}`,
          `keep only ${KIND} specs in the pipelines folder (or fix kind)`,
          undefined,
          name,
        ),
      ],
    };
  }
  const unsafe = unsafeNumbers(raw);
  if (unsafe.length > 0) {
    const src = source();
    return {
      diagnostics: unsafe.map((u) =>
        diag(
          src,
          file,
          u.path,
          `${u.path.split('/').pop() || '(document)'} is ${u.text}, which does not fit: ${u.why}`,
          u.text.startsWith('nested')
            ? 'flatten the value'
            : 'write a whole number up to 9007199254740991 (2^53 - 1), or quote the value when it is text',
          undefined,
          name,
        ),
      ),
    };
  }
  // ajv fills in defaults in place: work on a copy unless the caller handed over its own.
  const data = (owned ? raw : copy(raw)) as Record<string, unknown>;
  const validate = schemaValidator(PIPELINE_SCHEMA, { useDefaults: true });
  // Defaults for absent blocks, so that nested defaults apply too.
  const spec = data.spec as Record<string, unknown> | undefined;
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const k of ['gate', 'validation', 'policy']) if (spec[k] === undefined) spec[k] = {};
  }
  if (!validate(data)) {
    const src = source();
    const diagnostics: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const d = fromAjv(e, src, file, raw, name);
      if (!d) continue;
      const key = `${d.path}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
    return { diagnostics };
  }
  const pipeline = data as unknown as Pipeline;
  const semantic = semanticChecks(pipeline, file, source);
  return semantic.length > 0 ? { diagnostics: semantic } : { pipeline, diagnostics: [] };
}

/** The deepest nesting of maps and lists a spec may have. */
export const MAX_DEPTH = 64;

/**
 * Numbers no JSON reader keeps exactly: not finite, or whole numbers beyond 2^53 (silently
 * rounded: 9007199254740993 reads as ...992, 1e300 is no generation). Walks with a stack.
 */
export function unsafeNumbers(raw: unknown): { path: string; text: string; why: string }[] {
  // Nearly every spec has none: first a walk without paths, the one below only when it finds one.
  if (!suspect(raw, 0)) return [];
  const out: { path: string; text: string; why: string }[] = [];
  const EXIT = Symbol('exit');
  const stack: [unknown, string][] = [[raw, '']];
  // The values being walked (ancestors): an alias inside its own anchor (`&a [*a]`) reads as a
  // value that contains itself. A value shared by aliases elsewhere is fine (and walked again).
  const open = new Set<object>();
  while (stack.length > 0 && out.length < 20) {
    const [v, path] = stack.pop()!;
    if (v === EXIT) {
      open.delete(stack.pop()![0] as object);
      continue;
    }
    if (v !== null && typeof v === 'object' && open.size >= MAX_DEPTH) {
      out.push({
        path,
        text: `nested ${MAX_DEPTH} levels deep`,
        why: `no field of a pipeline needs more than ${MAX_DEPTH} levels, and deeper values cannot be rendered`,
      });
      continue;
    }
    if (v !== null && typeof v === 'object') {
      if (open.has(v)) {
        out.push({
          path,
          text: 'an alias of a value that contains it',
          why: 'a value cannot contain itself',
        });
        continue;
      }
      open.add(v);
      stack.push([v, path], [EXIT, path]);
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push({ path, text: String(v), why: 'not a finite number' });
      else if (Number.isInteger(v) && !Number.isSafeInteger(v))
        out.push({ path, text: String(v), why: 'whole numbers above 2^53 are rounded' });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}/${i}`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push([x, `${path}/${escapePointerSegment(k)}`]);
    }
  }
  return out.reverse();
}

/**
 * Whether unsafeNumbers may find something: a number that is not finite or not a safe integer, or
 * maps and lists nested nearly MAX_DEPTH deep (also what a value containing itself leads to).
 */
function suspect(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return !Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v));
  if (v === null || typeof v !== 'object') return false;
  if (depth >= MAX_DEPTH - 2) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (suspect(x, depth + 1)) return true;
    return false;
  }
  for (const k in v)
    if (Object.hasOwn(v, k) && suspect((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/** Validates one parsed document as a BlueGreenPipeline. */
export function validatePipelineDocument(
  src: SourceDocument,
  file: string,
): { pipeline?: Pipeline; raw: unknown; diagnostics: Diagnostic[] } {
  let raw: unknown;
  try {
    raw = src.doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // e.g. "Excessive alias count" for a YAML alias bomb: a problem of the file, not a crash.
    return {
      raw: undefined,
      diagnostics: [
        diag(
          src,
          file,
          '',
          `cannot read the document: ${(err as Error).message}`,
          'remove the repeated aliases (*name) and write the values out',
        ),
      ],
    };
  }
  return { raw, ...validateData(raw, file, () => src) };
}

function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Memory shared by the loads of one run (e.g. base and head of a check): texts already read, by
 * path, and the values of texts already parsed, so that a file that is the same on both sides is
 * parsed once.
 */
export class LoadMemo {
  /** Whether the fast reader is used (false: every text is read with positions, as before). */
  readonly fast: boolean;
  constructor(options: { fast?: boolean } = {}) {
    this.fast = options.fast ?? true;
  }
  /** Texts read by loadPipelineFile, by the path it was given. */
  readonly texts = new Map<string, string>();
  /** The fast reader's value of a text (undefined: the full reader is needed). */
  readonly values = new Map<string, unknown>();
  /** loadPipelineText's result for a text, and the file it was loaded as. */
  readonly results = new Map<string, { file: string; result: LoadResult & { source: SourceFile } }>();

  fastValue(text: string): unknown {
    if (!this.fast) return undefined;
    if (this.values.has(text)) return this.values.get(text);
    const v = fastParseYaml(text);
    this.values.set(text, v);
    return v;
  }
}

/**
 * Loads every BlueGreenPipeline document of a YAML text. A one-document spec of the plain kind is
 * read by the fast reader; its positioned parse (`source`) is built only when something asks for a
 * line (a diagnostic, a finding). Anything else is read by the full reader. Both give the same
 * pipelines and diagnostics.
 */
export function loadPipelineText(
  file: string,
  text: string,
  memo?: LoadMemo,
): LoadResult & { source: SourceFile } {
  if (!memo) {
    const fast = fastParseYaml(text);
    return fast !== undefined ? loadFastValue(file, text, fast) : loadPipelineTextFully(file, text);
  }
  const hit = memo.results.get(text);
  if (hit) return hit.file === file ? hit.result : renamedResult(hit.result, file);
  const fast = memo.fastValue(text);
  const result = fast !== undefined ? loadFastValue(file, text, fast) : loadPipelineTextFully(file, text);
  memo.results.set(text, { file, result });
  return result;
}

/** The same load of the same text, as if read from `file` (no message names its own file). */
function renamedResult(
  r: LoadResult & { source: SourceFile },
  file: string,
): LoadResult & { source: SourceFile } {
  const descriptors = <T extends object>(o: T): PropertyDescriptorMap => Object.getOwnPropertyDescriptors(o);
  return Object.defineProperties(
    {
      pipelines: r.pipelines.map(
        (lp) =>
          Object.defineProperties(
            {},
            { ...descriptors(lp), file: { value: file, enumerable: true } },
          ) as LoadedPipeline,
      ),
      diagnostics: r.diagnostics.map((d) => ({ ...d, file })),
    },
    { source: Object.getOwnPropertyDescriptor(r, 'source')! },
  ) as LoadResult & { source: SourceFile };
}

function loadFastValue(file: string, text: string, value: unknown): LoadResult & { source: SourceFile } {
  let parsed: SourceFile | undefined;
  const sourceFile = (): SourceFile => (parsed ??= parseYamlSource(file, text));
  const document = (): SourceDocument | undefined => sourceFile().documents[0];
  // The fast reader's value is a tree of plain maps, lists and scalars (no aliases, no __proto__):
  // copied by hand for the defaults, faster than structuredClone.
  const r = validateData(value, file, document, false, copyTree);
  const pipelines: LoadedPipeline[] = [];
  if (r.pipeline && r.diagnostics.length === 0) {
    const pipeline = r.pipeline;
    pipelines.push({
      file,
      raw: value,
      pipeline,
      get source(): SourceDocument {
        return document()!;
      },
    });
  }
  return {
    pipelines,
    diagnostics: r.diagnostics,
    get source(): SourceFile {
      return sourceFile();
    },
  };
}

/** A copy of a tree of plain maps, lists and scalars. */
function copyTree(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyTree);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyTree((v as Record<string, unknown>)[k]);
  return out;
}

/** loadPipelineText with the full (positioned) reader only. */
export function loadPipelineTextFully(file: string, text: string): LoadResult & { source: SourceFile } {
  const source = parseYamlSource(file, text);
  const diagnostics: Diagnostic[] = source.syntaxErrors.map((e) => ({
    ruleId: 'schema',
    severity: 'error',
    file,
    line: e.line,
    column: e.column,
    path: '',
    message: `invalid YAML: ${e.message}`,
    fix: 'fix the YAML syntax at this position',
  }));
  const pipelines: LoadedPipeline[] = [];
  if (diagnostics.length > 0) return { pipelines, diagnostics, source };
  if (source.documents.length === 0) {
    diagnostics.push({
      ruleId: 'schema',
      severity: 'error',
      file,
      line: 1,
      column: 1,
      path: '',
      message: 'the file has no YAML document',
      fix: `write a BlueGreenPipeline (apiVersion: ${API_VERSION}, kind: ${KIND})`,
    });
  }
  for (const doc of source.documents) {
    const r = validatePipelineDocument(doc, file);
    diagnostics.push(...r.diagnostics);
    if (r.pipeline && r.diagnostics.length === 0)
      pipelines.push({ file, source: doc, raw: r.raw, pipeline: r.pipeline });
  }
  return { pipelines, diagnostics, source };
}

/**
 * Which files a load reads: given a file's text, whether to load it (a file not selected gives no
 * pipelines and no diagnostics). E.g. only the files that can define a pipeline of a given name.
 */
export type TextSelector = (text: string) => boolean;

/**
 * Selects the texts that may define a pipeline named `name`: those holding the name as written,
 * and those with an escape (a double-quoted `\u0065` could spell it). A valid name has only
 * lowercase letters, digits and "-", so no other text can define it.
 */
export function mayDefine(name: string): TextSelector {
  return (text) => text.includes(name) || text.includes('\\');
}

/** Loads one pipeline file; unreadable files become diagnostics, not exceptions. */
export function loadPipelineFile(path: string, memo?: LoadMemo, select?: TextSelector): LoadResult {
  const file = displayPath(path);
  let text: string;
  try {
    text = readRegularFile(path);
  } catch (err) {
    const why =
      err instanceof InputFileError
        ? err.message
        : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    return {
      pipelines: [],
      diagnostics: [
        {
          ruleId: 'schema',
          severity: 'error',
          file,
          line: 0,
          column: 0,
          path: '',
          message: `cannot read the file: ${why}`,
          fix:
            err instanceof InputFileError && err.code === 'ELOOP'
              ? 'remove the symbolic link loop'
              : err instanceof InputFileError && err.code === 'ENOENT'
                ? 'the file is a dangling symbolic link: remove it or fix its target'
                : 'give a regular, readable file',
        },
      ],
    };
  }
  memo?.texts.set(path, text);
  if (select && !select(text)) return { pipelines: [], diagnostics: [] };
  const { pipelines, diagnostics } = loadPipelineText(file, text, memo);
  return { pipelines, diagnostics };
}

/** The `*.yaml` / `*.yml` files directly in a folder, sorted by name. */
export function pipelineFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => /\.ya?ml$/i.test(e.name))
    .filter((e) => {
      if (e.isFile()) return true;
      if (e.isDirectory()) return false;
      if (!e.isSymbolicLink()) return true; // a FIFO or device named *.yaml: refused by name when read
      // A link: kept when it leads to a file, and also when it is dangling or loops, so that the
      // load reports it by name instead of skipping or crashing.
      try {
        return !statSync(join(dir, e.name)).isDirectory();
      } catch {
        return true;
      }
    })
    .map((e) => e.name)
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads every pipeline in a folder. Also reports two files defining the same namespace/name.
 * Throws only when the folder itself cannot be read (a usage error for the CLI).
 */
export function loadPipelineDir(dir: string, memo?: LoadMemo, select?: TextSelector): LoadResult {
  let files: string[];
  try {
    files = pipelineFiles(dir);
  } catch (err) {
    throw new Error(
      `cannot read pipelines folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  const pipelines: LoadedPipeline[] = [];
  const diagnostics: Diagnostic[] = [];
  const byKey = new Map<string, LoadedPipeline>();
  for (const f of files) {
    const r = loadPipelineFile(f, memo, select);
    diagnostics.push(...r.diagnostics);
    for (const lp of r.pipelines) {
      const key = pipelineKey(lp.pipeline);
      const prev = byKey.get(key);
      if (prev) {
        const pos = positionOf(lp.source, '/metadata/name');
        diagnostics.push({
          ruleId: 'schema',
          severity: 'error',
          pipeline: lp.pipeline.metadata.name,
          file: lp.file,
          line: pos.line,
          column: pos.column,
          path: toPointer(['metadata', 'name']),
          message: `pipeline ${key} is also defined in ${prev.file}`,
          fix: 'rename one of them or put them in different namespaces',
        });
        continue;
      }
      byKey.set(key, lp);
      pipelines.push(lp);
    }
  }
  return { pipelines, diagnostics };
}

/** `namespace/name` (namespace empty when unset): how pipelines are matched between base and head. */
export function pipelineKey(p: Pipeline): string {
  return `${p.metadata.namespace ?? ''}/${p.metadata.name}`;
}

/**
 * Validates a pipeline given as an object (e.g. written in code in a user's cdk8s app, or a
 * `PipelineInput`). The object has no YAML file: diagnostics name the JSON pointer of each
 * problem (`path`), with line and column 0, and `file` is the label given (default `<spec>`).
 */
export function validatePipelineObject(
  obj: PipelineInput | unknown,
  file = '<spec>',
): { pipeline?: Pipeline; diagnostics: Diagnostic[] } {
  // One JSON copy (drops undefined, as YAML would); the caller's object is only read.
  const copy = obj === undefined ? null : (JSON.parse(JSON.stringify(obj)) as unknown);
  return validateData(copy, file, () => undefined, true);
}
