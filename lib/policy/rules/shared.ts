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
}

/** Reports every value both colors resolve to identically (`normalize` decides identity). */
export function sharedValues(rule: Rule, lp: LoadedPipeline, resolve: (c: Color) => ResolvedValue[], fix: string, normalize: (v: string) => string = (v) => v): Finding[] {
  const colors = colorsOf(lp.pipeline);
  if (colors.length < 2) return [];
  const [a, b] = colors as [Color, Color];
  const rb = resolve(b);
  const out: Finding[] = [];
  for (const x of resolve(a)) {
    const y = rb.find((v) => v.what === x.what && normalize(v.value) === normalize(x.value));
    if (!y) continue;
    out.push(findingAt(rule, lp, y.pointer, `${a} and ${b} both use ${x.what} "${x.value}"`, fix));
  }
  return out;
}
