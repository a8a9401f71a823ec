import { colorsOf, effectiveSpec } from '../../spec/effective.js';
import type { Color, Pipeline } from '../../spec/types.js';
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
export function sharedValues(
  rule: Rule,
  lp: LoadedPipeline,
  resolve: (c: Color) => ResolvedValue[],
  fix: string,
  normalize: (v: string) => string = (v) => v,
): Finding[] {
  const colors = colorsOf(lp.pipeline);
  if (colors.length < 2) return [];
  const [a, b] = colors as [Color, Color];
  const rb = resolve(b);
  const out: Finding[] = [];
  for (const x of resolve(a)) {
    const same = (v: ResolvedValue) => v.what === x.what && normalize(v.value) === normalize(x.value);
    const y = rb.find((v) => same(v) && v.key === x.key) ?? rb.find(same);
    if (!y) continue;
    const keys =
      x.key === undefined ? '' : x.key === y.key ? ` (${x.key})` : ` (${a}: ${x.key}, ${b}: ${y.key})`;
    out.push(findingAt(rule, lp, y.pointer, `${a} and ${b} both use ${x.what}${keys} "${x.value}"`, fix));
  }
  return out;
}

/** Values of job args following (or `=`-joined to) a flag matching `flag`, with their pointers. */
export function argValues(
  p: Pipeline,
  c: Color,
  flag: RegExp,
): { flag: string; value: string; pointer: string }[] {
  const args = effectiveSpec(p, c).job?.args ?? [];
  const own = p.spec.colors[c]?.job?.args !== undefined;
  const base = own ? `/spec/colors/${c}/job/args` : '/spec/template/job/args';
  const out: { flag: string; value: string; pointer: string }[] = [];
  args.forEach((a, i) => {
    const eq = a.indexOf('=');
    if (eq > 0 && flag.test(a.slice(0, eq)))
      out.push({ flag: a.slice(0, eq), value: a.slice(eq + 1), pointer: `${base}/${i}` });
    else if (flag.test(a) && i + 1 < args.length)
      out.push({ flag: a, value: args[i + 1]!, pointer: `${base}/${i + 1}` });
  });
  return out;
}

/** Where a connector identifier (consumer group, transactional id prefix) can be set for one color. */
export interface IdentifierSpec<
  T extends { name: string; properties?: Record<string, string | number | boolean> },
> {
  /** The color's resolved sources or sinks, and their list in the spec. */
  readonly items: readonly T[];
  readonly list: 'sources' | 'sinks';
  /** `source` or `sink`, for messages. */
  readonly noun: string;
  /** The dedicated field (e.g. consumerGroup) and how messages call it. */
  readonly field: keyof T & string;
  readonly label: string;
  /** Connector properties that set it too. */
  readonly props: readonly string[];
  /** Job argument flags that set it. */
  readonly args: RegExp;
  /** Items the identifier matters for. @default all */
  readonly include?: (item: T) => boolean;
}

/** Every value one color gives an identifier: the field, connector properties and job arguments. */
export function identifierValues<
  T extends { name: string; properties?: Record<string, string | number | boolean> },
>(p: Pipeline, c: Color, id: IdentifierSpec<T>): ResolvedValue[] {
  const out: ResolvedValue[] = [];
  id.items.forEach((s, i) => {
    if (id.include && !id.include(s)) return;
    const v = s[id.field];
    if (v !== undefined)
      out.push({
        what: `${id.label} of ${id.noun} ${s.name}`,
        value: String(v),
        pointer: `/spec/${id.list}/${i}/${id.field}`,
      });
    for (const k of id.props) {
      const pv = s.properties?.[k];
      if (pv !== undefined)
        out.push({
          what: `${k} of ${id.noun} ${s.name}`,
          value: String(pv),
          pointer: `/spec/${id.list}/${i}/properties/${k}`,
        });
    }
  });
  for (const a of argValues(p, c, id.args))
    out.push({ what: `job argument ${a.flag}`, value: a.value, pointer: a.pointer });
  return out;
}
