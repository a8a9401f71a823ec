import type { Severity } from '../spec/diagnostics.js';
import type { LoadedPipeline } from '../spec/load.js';
import { positionOf } from '../spec/yaml-source.js';
import type { Finding, Rule } from './types.js';

/** Builds a finding at the YAML node of `pointer` in `lp` (its deepest existing ancestor when absent). */
export function findingAt(
  rule: Pick<Rule, 'id' | 'severity'>,
  lp: LoadedPipeline,
  pointer: string,
  message: string,
  fix: string,
  severity: Severity = rule.severity,
): Finding {
  const pos = positionOf(lp.source, pointer);
  return {
    ruleId: rule.id,
    severity,
    pipeline: lp.pipeline.metadata.name,
    file: lp.file,
    line: pos.line,
    column: pos.column,
    path: pointer,
    message,
    fix,
  };
}

/** Keeps the first finding per rule and path (a template value shared by both colors is reported once). */
export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}|${f.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
