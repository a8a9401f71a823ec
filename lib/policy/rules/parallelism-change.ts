import { colorsOf } from '../../spec/effective.js';
import { configPointer, effectiveConfig, jobParallelism, jobPointer, setFor } from '../config.js';
import { dedupe, findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const parallelismChange: Rule = {
  id: 'parallelism-change',
  severity: 'error',
  summary: 'The two colors run with different job parallelism.',
  doc: 'With a different parallelism the two jobs split their input into different subtasks, so their watermarks advance differently (idle partitions, per-subtask min): records near the cutover watermark can be late for one color and on time for the other, and the two outputs diverge exactly where the handover happens (raised in the Flink community thread). The same holds when the autoscaler may rescale either color while both run. Keep job.parallelism (or parallelism.default) equal across colors and disable job.autoscaler.enabled during the overlap; if the job tolerates it (e.g. no event-time windows near W), set policy.allowParallelismChange: true.',
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head) return [];
    const p = head.pipeline;
    const colors = colorsOf(p);
    if (colors.length < 2 || p.spec.policy.allowParallelismChange) return [];
    const out: Finding[] = [];
    const [a, b] = colors as [(typeof colors)[0], (typeof colors)[0]];
    const pa = jobParallelism(p, a);
    const pb = jobParallelism(p, b);
    if (pa !== pb) {
      const standby = a === p.spec.active ? b : a;
      out.push(
        findingAt(
          parallelismChange,
          head,
          jobPointer(p, standby, 'parallelism'),
          `${a} runs with parallelism ${pa ?? '(default)'} and ${b} with ${pb ?? '(default)'}: their watermarks may diverge around the cutover`,
          'use the same parallelism for both colors, or set policy.allowParallelismChange: true',
        ),
      );
    }
    for (const c of colors) {
      if ((effectiveConfig(p, c)['job.autoscaler.enabled'] ?? '').toLowerCase() === 'true') {
        const at = configPointer(p, c, 'job.autoscaler.enabled');
        out.push(
          findingAt(
            parallelismChange,
            head,
            at,
            `the autoscaler may rescale ${setFor(at, c)} while both colors run`,
            'set job.autoscaler.enabled: "false" for the overlap, or set policy.allowParallelismChange: true',
            'warning',
          ),
        );
      }
    }
    return dedupe(out);
  },
};
