import { effectiveSources } from '../../spec/effective.js';
import { colorsOf } from '../../spec/effective.js';
import type { Color, Pipeline } from '../../spec/types.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import type { ResolvedValue } from './shared.js';
import { identifierValues, sharedValues } from './shared.js';

const GROUP_PROPS = [
  'group.id',
  'properties.group.id',
  'pulsar.consumer.subscriptionName',
  'subscriptionName',
  'source.subscription-name',
];
/** `--group-id`, also with a prefix as jobs name them: `--kafka.group.id`, `--properties.group.id`, `--source-consumer-group`. */
const GROUP_ARGS = /^--?([a-z0-9]+[-._])*(group[-._]?id|consumer[-._]?group|subscription([-._]?name)?)$/i;

function groups(p: Pipeline, c: Color): ResolvedValue[] {
  return identifierValues(p, c, {
    items: effectiveSources(p, c),
    list: 'sources',
    noun: 'source',
    field: 'consumerGroup',
    label: 'consumer group',
    props: GROUP_PROPS,
    args: GROUP_ARGS,
  });
}

export const sharedConsumerGroup: Rule = {
  id: 'shared-consumer-group',
  severity: 'error',
  summary: 'Both colors read a source with the same consumer group.',
  doc: 'Blue and green must each read the full input. With one Kafka consumer group (or Pulsar subscription) the broker splits the partitions between the two jobs, so each sees only part of the data, and each commits offsets over the other\'s: the standby never catches up and a restart resumes at the wrong position. Checked in sources[].consumerGroup, the group.id / subscription properties and job arguments such as --group-id. Put {{color}} into the group name, e.g. consumerGroup: "orders-{{color}}".',
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head) return [];
    const out = sharedValues(
      sharedConsumerGroup,
      head,
      (c) => groups(head.pipeline, c),
      'add {{color}} to the name so each color has its own, e.g. "orders-{{color}}"',
    );
    if (colorsOf(head.pipeline).length < 2) return out;
    const named = new Set(groups(head.pipeline, head.pipeline.spec.active).map((g) => g.what));
    const argGroup = [...named].some((w) => w.startsWith('job argument'));
    head.pipeline.spec.sources.forEach((s, i) => {
      if (!GROUP_KINDS.includes(s.kind) || argGroup || [...named].some((w) => w.endsWith(`source ${s.name}`)))
        return;
      out.push(
        findingAt(
          sharedConsumerGroup,
          head,
          `/spec/sources/${i}`,
          `source ${s.name} (${s.kind}) names no consumer group: it cannot be checked that the colors use different ones`,
          'set consumerGroup: "<name>-{{color}}" (and pass it to the job), so the check can see it',
          'warning',
        ),
      );
    });
    return out;
  },
};

/** Source kinds that read through a consumer group or subscription. */
const GROUP_KINDS = ['kafka', 'pulsar'];
