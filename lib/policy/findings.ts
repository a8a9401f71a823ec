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

/** The check's flag for CI without cluster access: steps that need the controller's status then warn. */
export const ALLOW_UNKNOWN_STATUS_FLAG = '--allow-unknown-status';

/**
 * Severity and fix of a finding about a step that needs the controller's status when there is none:
 * an error, unless the check runs with `--allow-unknown-status` (then a warning).
 */
export function missingStatus(
  allowUnknownStatus: boolean | undefined,
  fix: string,
): { severity: Severity; fix: string } {
  return allowUnknownStatus
    ? { severity: 'warning', fix: `${fix} (the check ran with ${ALLOW_UNKNOWN_STATUS_FLAG}: not verified)` }
    : {
        severity: 'error',
        fix: `${fix}; a CI without cluster access can run the check with ${ALLOW_UNKNOWN_STATUS_FLAG}, which makes this a warning`,
      };
}
