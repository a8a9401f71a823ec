import { effectiveSinks } from '../../spec/effective.js';
import { colorsOf } from '../../spec/effective.js';
import type { Color, Pipeline } from '../../spec/types.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import type { ResolvedValue } from './shared.js';
import { identifierValues, sharedValues } from './shared.js';

const TXN_PROPS = ['transactional.id.prefix', 'sink.transactional-id-prefix', 'transactionalIdPrefix'];
const TXN_ARGS = /^--?([a-z0-9]+[-._])*(transactional[-._]?id[-._]?prefix|txn[-._]?prefix)$/i;

function prefixes(p: Pipeline, c: Color): ResolvedValue[] {
  return identifierValues(p, c, {
    items: effectiveSinks(p, c),
    list: 'sinks',
    noun: 'sink',
    field: 'transactionalIdPrefix',
    label: 'transactional id prefix',
    props: TXN_PROPS,
    args: TXN_ARGS,
    include: (s) => s.deliveryGuarantee === 'exactly-once',
  });
}

export const sharedTransactionalId: Rule = {
  id: 'shared-transactional-id',
  severity: 'error',
  summary: 'Both colors write an exactly-once sink with the same transactional id prefix.',
  doc: 'An exactly-once Kafka sink opens transactions named <prefix>-<subtask>-<n>. When both colors use the same prefix, each job\'s start aborts ("fences") the other\'s open transactions: the active color\'s writes fail or are lost while the standby runs, which is precisely what the standby must never affect. Checked in sinks[].transactionalIdPrefix, the transactional id properties and job arguments, for sinks with deliveryGuarantee: exactly-once. Put {{color}} into the prefix, e.g. transactionalIdPrefix: "orders-out-{{color}}".',
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head) return [];
    const out = sharedValues(
      sharedTransactionalId,
      head,
      (c) => prefixes(head.pipeline, c),
      'add {{color}} to the prefix so each color fences only its own transactions',
    );
    if (colorsOf(head.pipeline).length < 2) return out;
    const named = prefixes(head.pipeline, head.pipeline.spec.active).map((x) => x.what);
    const argPrefix = named.some((w) => w.startsWith('job argument'));
    head.pipeline.spec.sinks.forEach((s, i) => {
      if (
        s.kind !== 'kafka' ||
        s.deliveryGuarantee !== 'exactly-once' ||
        argPrefix ||
        named.some((w) => w.endsWith(`sink ${s.name}`))
      )
        return;
      out.push(
        findingAt(
          sharedTransactionalId,
          head,
          `/spec/sinks/${i}`,
          `exactly-once sink ${s.name} names no transactional id prefix: it cannot be checked that the colors use different ones`,
          'set transactionalIdPrefix: "<name>-{{color}}" (and pass it to the job), so the check can see it',
          'warning',
        ),
      );
    });
    return out;
  },
};
