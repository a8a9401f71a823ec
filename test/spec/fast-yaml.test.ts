import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { fastParseYaml } from '../../lib/spec/fast-yaml.js';
import { corpusText } from '../../bench/support/corpus.js';

/** What the full reader makes of a text: its value when it is one clean document, else a marker. */
function full(text: string): unknown {
  const docs = parseAllDocuments(text, { uniqueKeys: true, merge: true });
  if (!Array.isArray(docs) || docs.length !== 1) return Symbol.for('not one document');
  const d = docs[0]!;
  if (d.errors.length > 0) return Symbol.for('errors');
  return d.toJS({ maxAliasCount: 100 });
}

/** The fast reader either declines or agrees exactly with the full one. */
function agrees(text: string): boolean {
  const fast = fastParseYaml(text);
  if (fast === undefined) return true;
  const f = full(text);
  expect(typeof f === 'symbol' ? f.toString() : f, text).toStrictEqual(fast);
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e.startsWith('.') || e === 'build' || e === 'target') continue;
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e) && st.size < 200_000) out.push(p);
  }
  return out;
}

const root = join(import.meta.dirname, '..', '..');

describe('fastParseYaml', () => {
  it('reads every example spec, exactly as the full reader does', () => {
    for (const f of readdirSync(join(root, 'apps', 'pipelines'))) {
      const text = readFileSync(join(root, 'apps', 'pipelines', f), 'utf8');
      expect(fastParseYaml(text), f).not.toBeUndefined();
      agrees(text);
    }
    for (let i = 0; i < 30; i++) {
      const { text } = corpusText(i);
      expect(fastParseYaml(text)).not.toBeUndefined();
      agrees(text);
    }
  });

  it('declines or agrees on every YAML file of the repository', () => {
    for (const f of yamlFiles(root)) agrees(readFileSync(f, 'utf8'));
  });

  it('declines what it does not read fully', () => {
    for (const t of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  x\n',
      'a: b\n  c\n',
      'a: 1\na: 2\n',
      '<<: {a: 1}\n',
      '---\na: 1\n---\nb: 2\n',
      'a: "x\n  y"\n',
      'a:\tb\n',
      '1: x\n',
      'true: x\n',
      'a: b: c\n',
      'a: [1, 2\n',
      '? a\n: b\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 0x1F\n',
      'a: .inf\n',
      'a: "\\u0041"\n',
      'a: {b, c}\n',
      'a: [b: c]\n',
      '__proto__: 1\n',
      'a: x # c\n  b: 1\n',
    ])
      expect(fastParseYaml(t), t).toBeUndefined();
  });

  it('reads scalars as the core schema does', () => {
    const t =
      'a: 1\nb: -2\nc: 1.50\nd: 1e3\ne: true\nf: False\ng: ~\nh:\ni: "08"\nj: 08\nk: yes\nl: 1_000\nm: -x\nn: "a\\"b"\no: \'it\'\'s\'\np: a#b # c\nq: [1, "2", x y, {r: s}]\nt: {}\nu: []\n';
    expect(fastParseYaml(t)).toStrictEqual(full(t));
    expect(fastParseYaml(t)).not.toBeUndefined();
  });

  it('declines or agrees on generated documents and their mutations', () => {
    const scalar = fc.oneof(
      fc.string({
        unit: fc.constantFrom(...'ab -:#"\'{}[],&*!|>%@`?\\0123456789.eE+xtrufnlYsN~\n'.split('')),
      }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('true', 'null', '1', '-1', '1.0', '0o7', '0x1', '.inf', 'yes', '1e3', '~', ''),
    );
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('a', 'b.c', 'd/e', '1', 'true', 'x: y'),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const options = fc.record({
      indentSeq: fc.boolean(),
      indent: fc.constantFrom(2, 3, 4),
      collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'>,
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<
        'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'
      >,
      lineWidth: fc.constantFrom(0, 20, 80),
    });
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }),
        options,
        fc.nat(),
        fc.constantFrom('', ' ', '  ', '#', ' # c', ':', '- ', '"', "'", '\n', '\n  ', '{', ']', ','),
        (obj, opts, at, insert) => {
          const text = stringify(obj, opts);
          agrees(text);
          const p = at % (text.length + 1);
          agrees(text.slice(0, p) + insert + text.slice(p));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
