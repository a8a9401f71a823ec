import { colorsOf } from '../../spec/effective.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const sourceQuota: Rule = {
  id: 'source-quota',
  severity: 'warning',
  summary: 'A source has a per-stream read quota (Kinesis) that two colors share.',
  doc: 'Kinesis Data Streams limits reads per shard (5 GetRecords calls and 2 MB per second, shared by all consumers without enhanced fan-out). While both colors run, and especially while the standby replays from its initial state, reads double and both jobs may be throttled and fall behind, delaying the cutover or the active output. Use enhanced fan-out (a dedicated consumer per color), or keep the overlap short and watch the throttling metrics. Checked once the pipeline runs two colors.',
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head || colorsOf(head.pipeline).length < 2) return [];
    return head.pipeline.spec.sources.flatMap((s, i) =>
      s.kind === 'kinesis'
        ? [
            findingAt(
              sourceQuota,
              head,
              `/spec/sources/${i}/kind`,
              `source ${s.name} reads Kinesis: both colors share its read quota during the overlap`,
              'use enhanced fan-out consumers (one per color) or keep the overlap short',
            ),
          ]
        : [],
    );
  },
};
