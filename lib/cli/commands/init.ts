import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Document, parseAllDocuments, stringify } from 'yaml';
import { plaintextSecret } from '../../policy/rules/plaintext-secret.js';
import type { AdoptOutcome } from '../../spec/adopt.js';
import { adoptManifest } from '../../spec/adopt.js';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import type { Diagnostic } from '../../spec/diagnostics.js';
import { loadPipelineText, validatePipelineObject } from '../../spec/load.js';
import { parseYamlSource, positionOf } from '../../spec/yaml-source.js';
import type { CliIO } from '../io.js';
import { defineAction, UsageError } from '../io.js';
import { InputFileError, readRegularFile } from '../../spec/read-file.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface InitOpts {
  from: string;
  name?: string;
  out?: string;
  force?: boolean;
  namespace?: string;
}

/** Where an object came from in the --from file: its document and, inside a List, its item. */
interface Origin {
  readonly doc: number;
  readonly base: string;
}

/**
 * The literal credentials an adopted spec carries (what `check` reports as plaintext-secret),
 * as warnings at their place in the --from file: `file:line:col: warning: ...` and the fix.
 */
function credentialWarnings(
  file: string,
  text: string,
  adopted: { outcome: Extract<AdoptOutcome, { kind: 'pipeline' }>; origin: Origin }[],
): string[] {
  let source: ReturnType<typeof parseYamlSource> | undefined;
  const out: string[] = [];
  for (const { outcome, origin } of adopted) {
    const lp = loadPipelineText(`${file} (adopted)`, stringify(outcome.spec)).pipelines[0];
    if (!lp) continue;
    const findings =
      plaintextSecret.check?.({
        pair: {
          key: lp.pipeline.metadata.name,
          name: lp.pipeline.metadata.name,
          head: lp,
          transition: { steps: [] },
        },
        now: 0,
        statusKnown: false,
      }) ?? [];
    if (findings.length === 0) continue;
    source ??= parseYamlSource(file, text);
    const doc = source.documents.find((d) => d.index === origin.doc);
    const seen = new Set<string>();
    for (const f of findings) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      // The template is the manifest's spec (or template.spec) verbatim; metadata is carried over.
      const inManifest =
        origin.base +
        (f.path.startsWith('/spec/template')
          ? outcome.templatePointer + f.path.slice('/spec/template'.length)
          : f.path.startsWith('/metadata/')
            ? f.path
            : '');
      const pos = doc ? positionOf(doc, inManifest) : { line: 0, column: 0 };
      out.push(
        `${file}:${pos.line}:${pos.column}: warning: ${f.message.split(f.path).join(inManifest)} (flink-cutover check fails on it: plaintext-secret)\n    fix: ${f.fix}; do it before committing the spec`,
      );
    }
  }
  return out;
}

const HEADER = `Adopted by \`flink-cutover init\`. The running job keeps its name and exact spec (gate: false).
Fill in sources and sinks so the pull-request check can guard consumer groups and transactional ids.`;

function isList(o: unknown): o is { items: unknown[] } {
  const x = o as { kind?: unknown; items?: unknown } | null;
  return typeof x?.kind === 'string' && x.kind.endsWith('List') && Array.isArray(x.items);
}

/** `flink-cutover init --from FILE`: adopt an existing FlinkDeployment as a steady pipeline. */
export function registerInit(program: Command, io: CliIO): void {
  const cmd = program
    .command('init')
    .description(COMMAND_DESCRIPTIONS.init)
    .requiredOption('--from <file>', 'manifest file (YAML, may hold several documents)')
    .option('--name <name>', "pipeline name (default: the deployment's name without a -blue/-green suffix)")
    .option(
      '--namespace <ns>',
      "the pipeline's namespace, for a manifest that names none (a spec must name one; one the manifest names wins, a different --namespace is refused)",
    )
    .option('--out <file>', 'write the spec to this file instead of stdout')
    .option('--force', 'overwrite --out when it exists')
    .addHelpText(
      'after',
      `
Warnings go to stderr and keep exit 0: empty spec.sources/spec.sinks (the isolation checks then see
nothing), each literal credential adopted (file:line:col, the key, move it to a Secret), and for a
FlinkBlueGreenDeployment how to delete it without deleting the adopted child (--cascade=orphan).

Exit codes: 0 ok (also with warnings), 1 nothing adoptable (e.g. a session cluster) or an invalid
result, 2 usage error (e.g. a manifest without metadata.namespace and no --namespace).`,
    );
  defineAction(cmd, (opts: InitOpts) => {
    const from = resolve(io.cwd, opts.from);
    let text: string;
    try {
      text = readRegularFile(from);
    } catch (err) {
      throw new UsageError(
        `--from ${opts.from}: ${err instanceof InputFileError ? err.message : `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`}`,
      );
    }
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch (err) {
      io.err(
        `${opts.from}: error: cannot read it: ${err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message}\n`,
      );
      return 1;
    }
    const list = Array.isArray(docs) ? docs : [];
    for (const d of list) {
      if (d.errors.length > 0) {
        const e = d.errors[0]!;
        io.err(
          `${opts.from}:${e.linePos?.[0].line ?? 0}:${e.linePos?.[0].col ?? 0}: error: invalid YAML: ${e.message.split('\n')[0]}\n`,
        );
        return 1;
      }
    }
    // `kubectl get ... -o yaml` gives a List (or a <Kind>List) holding the objects in `items`.
    let objects: { object: unknown; origin: Origin }[];
    try {
      objects = list
        .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
        .flatMap((o, doc) =>
          isList(o)
            ? o.items.map((object, i) => ({ object, origin: { doc, base: `/items/${i}` } }))
            : [{ object: o, origin: { doc, base: '' } }],
        )
        .filter((o) => o.object !== null && o.object !== undefined);
    } catch (err) {
      // An alias bomb ("Excessive alias count") or nesting too deep: a problem of the file.
      io.err(
        `${opts.from}: error: cannot read it: ${err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message}; write the values out instead of repeating aliases\n`,
      );
      return 1;
    }
    if (opts.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace))
      throw new UsageError(
        `--namespace ${opts.namespace}: not a namespace name (lowercase letters, digits and "-")`,
      );
    const outcomes = objects.map((o) =>
      adoptManifest(o.object, { name: opts.name, namespace: opts.namespace }),
    );
    const adopted = outcomes.filter((o) => o.kind === 'pipeline');
    const usage = outcomes.filter((o) => o.kind === 'error' && o.usage);
    if (usage.length > 0)
      throw new UsageError(
        usage
          .map((o) => (o.kind === 'error' ? `${opts.from}: ${o.message}\n    fix: ${o.fix}` : ''))
          .join('\n'),
      );
    if (opts.name && adopted.length > 1)
      throw new UsageError(
        `--name given but ${opts.from} holds ${adopted.length} adoptable deployments; adopt them one file at a time`,
      );
    for (const o of outcomes) {
      if (o.kind === 'skipped') io.err(`skipped ${o.source}: ${o.reason}\n`);
      if (o.kind === 'error') io.err(`${opts.from}: error: ${o.message}\n    fix: ${o.fix}\n`);
      if (o.kind === 'pipeline') for (const n of o.notes) io.err(`${n}\n`);
    }
    const warnings: string[] = [];
    if (outcomes.some((o) => o.kind === 'error')) return 1;
    if (adopted.length === 0) {
      io.err(
        `${opts.from}: error: no FlinkDeployment or FlinkBlueGreenDeployment found\n    fix: point --from at the manifest of the running job\n`,
      );
      return 1;
    }
    const diagnostics: Diagnostic[] = [];
    for (const o of adopted)
      diagnostics.push(...validatePipelineObject(o.spec, `${opts.from} (adopted)`).diagnostics);
    if (diagnostics.length > 0) {
      io.err(diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 1;
    }
    for (const o of adopted) warnings.push(...o.warnings.map((w) => `${opts.from}: warning: ${w}`));
    warnings.push(
      ...credentialWarnings(
        opts.from,
        text,
        outcomes.flatMap((outcome, i) =>
          outcome.kind === 'pipeline' ? [{ outcome, origin: objects[i]!.origin }] : [],
        ),
      ),
    );
    for (const w of warnings) io.err(`${w}\n`);
    const body = adopted
      .map((o) => {
        const doc = new Document(o.spec);
        doc.commentBefore = ' ' + HEADER.replace(/\n/g, '\n ');
        return doc.toString({ lineWidth: 0 });
      })
      .join('---\n');
    if (opts.out) {
      const out = resolve(io.cwd, opts.out);
      if (existsSync(out) && !opts.force)
        throw new UsageError(`--out ${opts.out} exists; pass --force to overwrite it`);
      if (existsSync(out) && !lstatSync(out).isFile())
        throw new UsageError(
          `--out ${opts.out}: ${lstatSync(out).isDirectory() ? 'a folder' : 'not a regular file'} is there; give a file name`,
        );
      const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        writeFileSync(tmp, body, { flag: 'wx' });
        renameSync(tmp, out);
      } catch (err) {
        try {
          rmSync(tmp, { force: true });
        } catch {
          // the temp file's folder is not one (ENOTDIR): nothing was created
        }
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        const why: Record<string, string> = {
          ENOENT: 'its folder does not exist',
          ENOTDIR: 'a part of its path is a file, not a folder',
          EACCES: 'the folder is read-only',
          EROFS: 'the file system is read-only',
        };
        throw new UsageError(
          `--out ${opts.out}: cannot write it (${code}${why[code] ? `: ${why[code]}` : ''}); nothing was written`,
        );
      }
      io.err(`wrote ${opts.out}\n`);
    } else {
      io.out(body);
    }
    return 0;
  });
}
