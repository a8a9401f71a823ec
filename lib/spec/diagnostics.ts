/**
 * Errors are data first: every problem the product reports (spec errors, policy findings) is a
 * Diagnostic, formatted as text only at the edge.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable id of the rule or check that found the problem, e.g. `schema`, `cutover-target`. */
  ruleId: string;
  severity: Severity;
  /** Pipeline name, when known. */
  pipeline?: string;
  /** File the problem is in (as given by the user, relative where possible). */
  file: string;
  /** 1-based line of the offending YAML node (0 when unknown). */
  line: number;
  /** 1-based column of the offending YAML node (0 when unknown). */
  column: number;
  /** JSON pointer of the offending value in the document, e.g. `/spec/cutover/to`. */
  path: string;
  message: string;
  /** What to do about it. */
  fix?: string;
}

/** `file:line:column: severity [rule] message (fix: ...)`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const at = d.path ? ` at ${d.path}` : '';
  const fix = d.fix ? `\n    fix: ${d.fix}` : '';
  return `${where}: ${d.severity} [${d.ruleId}]${at}: ${d.message}${fix}`;
}

/** Thrown by edges (loaders, CLI) to carry diagnostics up to the command that prints them. */
export class DiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
  }
}

/** Encodes path segments as a JSON pointer (RFC 6901). */
export function toPointer(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += '/' + escapePointerSegment(String(s));
  return out;
}

/** One JSON pointer segment: `~` as `~0`, `/` as `~1`. */
export function escapePointerSegment(s: string): string {
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

/** Decodes a JSON pointer into path segments (numbers stay strings). */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
