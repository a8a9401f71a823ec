import { roughDuration } from './checks.js';
import type { PollOutcome } from './run.js';
import type { VerifySettings } from './types.js';

/** The JSON output: `{"passed", "checks": [{"name","passed","observed","expected","message"}]}`. */
export function formatJson(outcome: PollOutcome): string {
  const checks = outcome.checks.map((c) => ({
    name: c.name,
    passed: c.passed,
    observed: c.observed,
    expected: c.expected,
    message: c.message,
  }));
  return JSON.stringify({ passed: outcome.passed, checks }, null, 2) + '\n';
}

const WHY: Record<PollOutcome['reason'], string> = {
  passed: '',
  timeout: 'timed out',
  'final-failure': 'a check cannot pass any more',
};

/** The text verdict: a header, then one line per check with observed vs expected. */
export function formatText(settings: VerifySettings, outcome: PollOutcome): string {
  const failing = outcome.checks.filter((c) => !c.passed).length;
  const head = outcome.passed
    ? `verify ${settings.pipeline}/${settings.color}: PASSED (${outcome.checks.length} checks, ${outcome.polls} poll(s), ${roughDuration(outcome.elapsedMs)})`
    : `verify ${settings.pipeline}/${settings.color}: FAILED, ${WHY[outcome.reason]} (${failing} of ${outcome.checks.length} checks failing, ${outcome.polls} poll(s), ${roughDuration(outcome.elapsedMs)})`;
  const width = Math.max(...outcome.checks.map((c) => c.name.length));
  const lines = outcome.checks.map(
    (c) =>
      `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  observed ${c.observed ?? '(none)'}; expected ${c.expected}${c.passed ? '' : `\n        ${c.message}`}`,
  );
  return [head, ...lines].join('\n') + '\n';
}
