import { effectiveSources, effectiveSpec } from '../../spec/effective.js';
import { colorsOf } from '../../spec/effective.js';
import type { Color, Pipeline } from '../../spec/types.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import type { ResolvedValue } from './shared.js';
import { sharedValues } from './shared.js';

const GROUP_PROPS = ['group.id', 'properties.group.id', 'pulsar.consumer.subscriptionName', 'subscriptionName', 'source.subscription-name'];
/** `--group-id`, also with a prefix as jobs name them: `--kafka.group.id`, `--properties.group.id`, `--source-consumer-group`. */
const GROUP_ARGS = /^--?([a-z0-9]+[-._])*(group[-._]?id|consumer[-._]?group|subscription([-._]?name)?)$/i;

/** Values of job args following (or `=`-joined to) a flag matching `flag`, with their pointers. */
export function argValues(p: Pipeline, c: Color, flag: RegExp): { flag: string; value: string; pointer: string }[] {
  const args = effectiveSpec(p, c).job?.args ?? [];
  const own = p.spec.colors[c]?.job?.args !== undefined;
  const base = own ? `/spec/colors/${c}/job/args` : '/spec/template/job/args';
  const out: { flag: string; value: string; pointer: string }[] = [];
  args.forEach((a, i) => {
    const eq = a.indexOf('=');
    if (eq > 0 && flag.test(a.slice(0, eq))) out.push({ flag: a.slice(0, eq), value: a.slice(eq + 1), pointer: `${base}/${i}` });
    else if (flag.test(a) && i + 1 < args.length) out.push({ flag: a, value: args[i + 1]!, pointer: `${base}/${i + 1}` });
  });
  return out;
}

function groups(p: Pipeline, c: Color): ResolvedValue[] {
  const out: ResolvedValue[] = [];
  effectiveSources(p, c).forEach((s, i) => {
    if (s.consumerGroup !== undefined) out.push({ what: `consumer group of source ${s.name}`, value: s.consumerGroup, pointer: `/spec/sources/${i}/consumerGroup` });
    for (const k of GROUP_PROPS) {
      const v = s.properties?.[k];
      if (v !== undefined) out.push({ what: `${k} of source ${s.name}`, value: String(v), pointer: `/spec/sources/${i}/properties/${k}` });
    }
  });
  for (const a of argValues(p, c, GROUP_ARGS)) out.push({ what: `job argument ${a.flag}`, value: a.value, pointer: a.pointer });
  return out;
}

export const sharedConsumerGroup: Rule = {
  id: 'shared-consumer-group',
  severity: 'error',
  summary: 'Both colors read a source with the same consumer group.',
  doc: 'Blue and green must each read the full input. With one Kafka consumer group (or Pulsar subscription) the broker splits the partitions between the two jobs, so each sees only part of the data, and each commits offsets over the other\'s: the standby never catches up and a restart resumes at the wrong position. Checked in sources[].consumerGroup, the group.id / subscription properties and job arguments such as --group-id. Put {{color}} into the group name, e.g. consumerGroup: "orders-{{color}}".',
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head) return [];
    const out = sharedValues(sharedConsumerGroup, head, (c) => groups(head.pipeline, c), 'add {{color}} to the name so each color has its own, e.g. "orders-{{color}}"');
    if (colorsOf(head.pipeline).length < 2) return out;
    const named = new Set(groups(head.pipeline, head.pipeline.spec.active).map((g) => g.what));
    const argGroup = [...named].some((w) => w.startsWith('job argument'));
    head.pipeline.spec.sources.forEach((s, i) => {
      if (!GROUP_KINDS.includes(s.kind) || argGroup || [...named].some((w) => w.endsWith(`source ${s.name}`))) return;
      out.push(findingAt(sharedConsumerGroup, head, `/spec/sources/${i}`, `source ${s.name} (${s.kind}) names no consumer group: it cannot be checked that the colors use different ones`,
        'set consumerGroup: "<name>-{{color}}" (and pass it to the job), so the check can see it', 'warning'));
    });
    return out;
  },
};

/** Source kinds that read through a consumer group or subscription. */
const GROUP_KINDS = ['kafka', 'pulsar'];
