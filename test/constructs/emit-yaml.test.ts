import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { emitYaml } from '../../lib/constructs/emit-yaml.js';

const root = join(import.meta.dirname, '..', '..');

function distDocuments(): unknown[][] {
  const out: unknown[][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.yaml'))
        out.push(
          parseAllDocuments(readFileSync(join(dir, e.name), 'utf8'), { version: '1.1' }).map((d) => d.toJS()),
        );
    }
  };
  walk(join(root, 'dist'));
  return out;
}

describe('emitYaml', () => {
  it('writes every committed rendered file as cdk8s Yaml.stringify does', () => {
    const files = distDocuments();
    expect(files.length).toBeGreaterThan(3);
    for (const docs of files) expect(emitYaml(...docs)).toBe(Yaml.stringify(...docs));
  });

  it('writes scalars as yaml does', () => {
    const doc = {
      strings: [
        '',
        ' ',
        'a b',
        'a: b',
        'a:',
        'a #b',
        'a#b',
        '- a',
        '-',
        '?',
        '? a',
        ':a',
        '#',
        "it's",
        'say "hi"',
        `"'`,
      ],
      ambiguous: [
        'true',
        'yes',
        'no',
        'on',
        'off',
        'y',
        'n',
        'null',
        '~',
        '1',
        '0x1f',
        '0o7',
        '012',
        '1_000',
        '1:30',
        '1.5',
        '.inf',
        '2026-12-01',
        '2026-12-01T12:00:00Z',
        '<<',
        '=',
      ],
      indicators: ['[a]', '{a}', '&a', '*a', '!a', '|', '>', '%a', '@a', '`a', ',a', 'a,b', 'a]'],
      numbers: [0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER],
      other: [true, false, null, undefined, [], {}, [[]], [{}], [[1, 2], [{ a: 1, b: [1] }]]],
      'key: with colon': 1,
      '': 2,
      '123': 3,
      true: 4,
      nested: { a: { b: { c: [{ d: [{ e: 1 }], f: {} }] } } },
      undef: undefined,
    };
    expect(emitYaml(doc)).toBe(Yaml.stringify(doc));
    expect(emitYaml(doc, undefined, { a: 1 })).toBe(Yaml.stringify(doc, undefined, { a: 1 }));
  });

  it('keeps the sign of a negative zero as a map value (found by the generated documents)', () => {
    expect(emitYaml({ a: -0 })).toBe(Yaml.stringify({ a: -0 }));
    expect(emitYaml({ a: -0 })).toBe('a: -0\n');
  });

  it('writes generated documents as cdk8s Yaml.stringify does', () => {
    const str = fc.oneof(
      fc.string({
        unit: fc.constantFrom(...'ab -:#"\'{}[],&*!|>%@`?\\0123456789.eE+xtrufnlYsN~\n\té'.split('')),
      }),
      fc.constantFrom(
        'true',
        'null',
        '1',
        '-1',
        '1.0',
        '0o7',
        '0x1',
        '.inf',
        'yes',
        'on',
        '1e3',
        '~',
        '',
        '---',
        '...',
        '1:2',
      ),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        str,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(str, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(str, value, { maxKeys: 5 }), { minLength: 1, maxLength: 3 }),
        (docs) => {
          expect(emitYaml(...docs)).toBe(Yaml.stringify(...docs));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
