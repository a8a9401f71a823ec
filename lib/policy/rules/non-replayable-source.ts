import { colorsOf } from '../../spec/effective.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const QUEUE_KINDS = ['rabbitmq', 'sqs', 'jms', 'pubsub'];

export const nonReplayableSource: Rule = {
  id: 'non-replayable-source',
  severity: 'error',
  summary: 'A source is a queue that cannot be consumed by two jobs (or replayed).',
  doc: `Blue/green needs both colors to read every record, and the standby to replay the gap since its initial savepoint. Queues (${QUEUE_KINDS.join(', ')}) deliver each message to one consumer and delete it on acknowledgement: two colors would split the messages between them and the standby cannot go back in time. Put a replayable log in front of the queue (e.g. a Kafka topic the queue is bridged into) and read that, or deploy this pipeline with a plain in-place upgrade. Checked once the pipeline runs two colors.`,
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head || colorsOf(head.pipeline).length < 2) return [];
    return head.pipeline.spec.sources.flatMap((s, i) =>
      QUEUE_KINDS.includes(s.kind)
        ? [
            findingAt(
              nonReplayableSource,
              head,
              `/spec/sources/${i}/kind`,
              `source ${s.name} is a ${s.kind} queue: two colors would split its messages and the standby cannot replay`,
              'read the data from a replayable log (e.g. Kafka) fed by the queue',
            ),
          ]
        : [],
    );
  },
};
