import { formatDiagnostic } from '../../spec/diagnostics.js';
import type { PromoteResult } from '../../policy/promote/run.js';

/** The text a promotion command prints: the refusal, or the PR title and body. */
export function formatPromotion(r: PromoteResult): { out: string; err: string } {
  const problems = [...r.diagnostics.map(formatDiagnostic), ...r.findings.map(formatDiagnostic)];
  if (r.refused) {
    const err = [`refused: ${r.refused.message}`, `  fix: ${r.refused.fix}`, ...problems].join('\n') + '\n';
    return { out: '', err };
  }
  const o = r.outcome!;
  const body = [
    `## ${o.title}`,
    '',
    ...o.summary.map((s) => `- ${s}`),
    '',
    `Changed: \`${r.file}\` (one lifecycle step: ${o.step}; checked with the same rules as \`flink-cutover check\`).`,
    ...(r.rendered && r.rendered.length > 0
      ? [
          `Rendered: ${r.rendered.map((f) => `\`${f}\``).join(', ')} (\`flink-cutover synth\`, so the merge changes the cluster).`,
        ]
      : []),
    ...(r.findings.length > 0
      ? ['', 'Warnings:', ...r.findings.map((f) => `- ${f.ruleId}: ${f.message}`)]
      : []),
    '',
    `Next: ${o.next}`,
  ];
  const out =
    [
      `${r.written ? 'edited' : 'would edit'} ${r.file}`,
      ...(r.rendered ?? []).map((f) => `${r.written ? 'rendered' : 'would render'} ${f}`),
      '',
      `PR title: ${o.title}`,
      '',
      'PR body:',
      ...body,
    ].join('\n') + '\n';
  return { out, err: r.findings.length > 0 ? r.findings.map(formatDiagnostic).join('\n') + '\n' : '' };
}
