import type { Diagnostic } from '../../spec/diagnostics.js';
import type { Finding, Rule } from '../types.js';

/** Loader diagnostics the check reports under a more specific rule id. */
const RETAGGED: Record<string, string> = { '/spec/cutover/to': 'cutover-target' };

export const schema: Rule = {
  id: 'schema',
  severity: 'error',
  summary: 'The pipeline spec at head is invalid.',
  doc: 'Every pipeline file at head must parse as YAML and validate against schemas/pipeline.schema.json (plus the references the schema cannot express: the active color exists, deployment names fit in 63 characters, durations parse). An invalid spec cannot be rendered, so Argo CD would sync nothing or something stale, and no other rule can judge it. Fix the field the message names; `flink-cutover synth` shows the same errors locally.',
  checkLoad: (diagnostics: readonly Diagnostic[]): Finding[] =>
    diagnostics.map((d) => ({ ...d, ruleId: RETAGGED[d.path] ?? d.ruleId, pipeline: d.pipeline ?? '' })),
};
