import { colorsOf } from '../../spec/effective.js';
import type { Color } from '../../spec/types.js';
import type { LoadedPipeline } from '../../spec/load.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule } from '../types.js';

/** A value one color resolves to, with where it comes from. */
export interface ResolvedValue {
  readonly what: string;
  readonly value: string;
  readonly pointer: string;
  /** The key that sets it, when several spellings of `what` exist (named in the message). */
  readonly key?: string;
}

/** Reports every value both colors resolve to identically (`normalize` decides identity). */
export function sharedValues(rule: Rule, lp: LoadedPipeline, resolve: (c: Color) => ResolvedValue[], fix: string, normalize: (v: string) => string = (v) => v): Finding[] {
  const colors = colorsOf(lp.pipeline);
  if (colors.length < 2) return [];
  const [a, b] = colors as [Color, Color];
  const rb = resolve(b);
  const out: Finding[] = [];
  for (const x of resolve(a)) {
    const same = (v: ResolvedValue) => v.what === x.what && normalize(v.value) === normalize(x.value);
    const y = rb.find((v) => same(v) && v.key === x.key) ?? rb.find(same);
    if (!y) continue;
    const keys = x.key === undefined ? '' : x.key === y.key ? ` (${x.key})` : ` (${a}: ${x.key}, ${b}: ${y.key})`;
    out.push(findingAt(rule, lp, y.pointer, `${a} and ${b} both use ${x.what}${keys} "${x.value}"`, fix));
  }
  return out;
}
