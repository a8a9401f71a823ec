import type { Rule } from './types.js';
import type { CheckResult } from './engine.js';
import type { Finding, PipelinePair } from './types.js';
import type { LoadedPipeline } from '../spec/load.js';

export const FORMATS = ['text', 'json', 'sarif', 'github', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** What every format says when the check ran with `--allow-unknown-status`. */
export const WITHOUT_STATUS_NOTICE =
  "checked WITHOUT the controller's status (--allow-unknown-status): teardown, rollback and rescheduling steps were not verified against the cutover's phase";

function notice(r: CheckResult): string | undefined {
  return r.summary.withoutStatus ? WITHOUT_STATUS_NOTICE : undefined;
}

/** `{"results":[...],"summary":{...}}` the documented JSON output (README). */
export function formatJson(r: CheckResult): string {
  const results = r.results.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    pipeline: f.pipeline,
    file: f.file,
    line: f.line,
    path: f.path,
    message: f.message,
    fix: f.fix ?? '',
  }));
  const n = notice(r);
  return JSON.stringify({ results, summary: r.summary, ...(n ? { notice: n } : {}) }, null, 2) + '\n';
}

/** Whether `line` lies in the YAML document of `lp` (several pipelines may share a file). */
function containsLine(lp: LoadedPipeline, line: number): boolean {
  const { doc, lineCounter } = lp.source;
  const range = doc.range;
  return lineCounter.linePos(range[0]).line <= line && line <= lineCounter.linePos(range[2]).line;
}

/** The pipeline a finding is about (pipelines are told apart by namespace and document too). */
function pairOf(r: CheckResult, f: Finding): PipelinePair | undefined {
  const same = r.pairs.filter((p) => p.name === f.pipeline && (p.head ?? p.base)!.file === f.file);
  return same.length > 1 ? (same.find((p) => p.head && containsLine(p.head, f.line)) ?? same[0]) : same[0];
}

/** How a pipeline is named in a report: its name, or `namespace/name` when the name is not unique. */
function displayName(r: CheckResult, pair: PipelinePair): string {
  return r.pairs.some((p) => p !== pair && p.name === pair.name) ? pair.key : pair.name;
}

/** The report group of a finding: its pipeline's display name, or the file of a spec that did not load. */
function groupOf(r: CheckResult, f: Finding): string {
  const pair = pairOf(r, f);
  return pair ? displayName(r, pair) : f.pipeline || `(${f.file})`;
}

/** Findings grouped by pipeline, for a terminal. */
export function formatText(r: CheckResult): string {
  const lines: string[] = [];
  const groups = new Map<string, Finding[]>();
  for (const f of r.results) {
    const k = groupOf(r, f);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  for (const [name, list] of groups) {
    const pair = pairOf(r, list[0]!);
    const after = pair?.headState ?? (pair?.headInvalid ? 'invalid at head' : 'removed');
    const move = pair ? ` (${pair.baseState ?? 'new'} → ${after})` : '';
    lines.push(`${name}${move}`);
    const ordered = [
      ...list.filter((f) => f.severity === 'error'),
      ...list.filter((f) => f.severity !== 'error'),
    ];
    for (const f of ordered) {
      const where = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
      lines.push(
        `  ${f.severity === 'error' ? 'error  ' : 'warning'} ${f.ruleId}  ${where}${f.path ? `  ${f.path}` : ''}`,
      );
      lines.push(`    ${f.message}`);
      if (f.fix) lines.push(`    fix: ${f.fix}`);
    }
    lines.push('');
  }
  const { errors, warnings, pipelines } = r.summary;
  const n = notice(r);
  if (n) lines.push(`note: ${n}`);
  const verdict =
    errors > 0 ? '' : n ? " - no errors, but the controller's status was not checked" : ' - ok to merge';
  lines.push(`${pipelines} pipeline(s) checked: ${errors} error(s), ${warnings} warning(s)${verdict}`);
  return lines.join('\n') + '\n';
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands (`::error file=...,line=...::message`). */
export function formatGithub(r: CheckResult): string {
  const out = r.results.map((f) => {
    const props = [`file=${escapeProperty(f.file)}`];
    if (f.line > 0) props.push(`line=${f.line}`, `col=${f.column}`);
    props.push(`title=${escapeProperty(`${f.ruleId} (${f.pipeline || f.file})`)}`);
    return `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(f.message + (f.fix ? `\nfix: ${f.fix}` : ''))}`;
  });
  const n = notice(r);
  if (n)
    out.push(`::warning title=${escapeProperty('flink-cutover check without status')}::${escapeData(n)}`);
  out.push(
    `${r.summary.pipelines} pipeline(s) checked: ${r.summary.errors} error(s), ${r.summary.warnings} warning(s)`,
  );
  return out.join('\n') + '\n';
}

/**
 * A file name as a SARIF artifact URI: a relative reference with each segment percent-encoded (a
 * space, `#`, `%` or a `:` that would read as a scheme), or a `file://` URI for an absolute path.
 */
export function fileUri(file: string): string {
  const path = file.replace(/\\/g, '/');
  const encoded = path
    .split('/')
    .map((seg) => (/^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg)))
    .join('/');
  if (path.startsWith('/')) return `file://${encoded}`;
  if (/^[A-Za-z]:\//.test(path)) return `file:///${encoded}`;
  return encoded;
}

/** SARIF 2.1.0, one rule descriptor per rule id. */
export function formatSarif(r: CheckResult, rules: readonly Rule[], version: string): string {
  const ids = rules.map((x) => x.id);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'flink-cutover',
            version,
            informationUri: 'https://flink-cutover.dev',
            rules: rules.map((x) => ({
              id: x.id,
              name: x.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: x.summary },
              fullDescription: { text: x.doc },
              help: { text: x.doc },
              defaultConfiguration: { level: x.severity === 'error' ? 'error' : 'warning' },
            })),
          },
        },
        ...(notice(r)
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: [{ level: 'warning', message: { text: notice(r) } }],
                },
              ],
              properties: { withoutStatus: true },
            }
          : {}),
        results: r.results.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: Math.max(0, ids.indexOf(f.ruleId)),
          level: f.severity === 'error' ? 'error' : 'warning',
          message: { text: f.fix ? `${f.message}. Fix: ${f.fix}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: fileUri(f.file) },
                ...(f.line > 0 ? { region: { startLine: f.line, startColumn: Math.max(1, f.column) } } : {}),
              },
              ...(f.path
                ? { logicalLocations: [{ fullyQualifiedName: `${f.pipeline}${f.path}`, kind: 'member' }] }
                : {}),
            },
          ],
          properties: { pipeline: f.pipeline, path: f.path },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function xml(s: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all.
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD'); // eslint-disable-line no-control-regex
}

/**
 * JUnit XML: a test suite per pipeline, a test case per rule; a rule with errors is one failing test
 * case (one <failure>, listing every error), warnings are reported in system-out.
 */
export function formatJunit(r: CheckResult, rules: readonly Rule[]): string {
  const names = [
    ...new Set([...r.pairs.map((p) => displayName(r, p)), ...r.results.map((f) => groupOf(r, f))]),
  ];
  const suites = names.map((name) => {
    const findings = r.results.filter((f) => groupOf(r, f) === name);
    const cases = rules.map((rule) => {
      const mine = findings.filter((f) => f.ruleId === rule.id);
      const errs = mine.filter((f) => f.severity === 'error');
      const warns = mine.filter((f) => f.severity === 'warning');
      const body = [
        ...(errs.length > 0
          ? [
              `      <failure type="${rule.id}" message="${xml(errs[0]!.message + (errs.length > 1 ? ` (and ${errs.length - 1} more)` : ''))}">${xml(errs.map((f) => `${f.file}:${f.line} ${f.path}\n${f.message}\nfix: ${f.fix ?? ''}`).join('\n\n'))}</failure>`,
            ]
          : []),
        ...(warns.length > 0
          ? [
              `      <system-out>${xml(warns.map((f) => `warning ${f.file}:${f.line} ${f.message} (fix: ${f.fix ?? ''})`).join('\n'))}</system-out>`,
            ]
          : []),
      ];
      return body.length === 0
        ? `    <testcase classname="${xml(name)}" name="${rule.id}"/>`
        : `    <testcase classname="${xml(name)}" name="${rule.id}">\n${body.join('\n')}\n    </testcase>`;
    });
    const failures = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.ruleId)).size;
    const props = notice(r)
      ? `    <properties>\n      <property name="flink-cutover.status" value="${xml(notice(r)!)}"/>\n    </properties>\n`
      : '';
    return `  <testsuite name="${xml(name)}" tests="${rules.length}" failures="${failures}" errors="0">\n${props}${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = new Set(
    r.results.filter((f) => f.severity === 'error').map((f) => `${groupOf(r, f)}|${f.ruleId}`),
  ).size;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="flink-cutover check" tests="${names.length * rules.length}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
