import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../lib');
const CLI = join(LIB, 'cli');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:\bimport|\bexport)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('layering', () => {
  it('finds imports the way the scan below reads them', () => {
    expect(
      specifiers(
        "import type { A } from '../cli/io.js';\nimport {\n  b,\n} from './x.js';\nexport { c } from \"../y.js\";\nawait import('../z.js');\nimport '../side.js';",
      ),
    ).toEqual(['../cli/io.js', './x.js', '../y.js', '../z.js', '../side.js']);
  });

  it('no library part outside lib/cli imports from lib/cli (the CLI sits on top, never below)', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(LIB)) {
      if (file.startsWith(CLI + '/')) continue;
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (target === CLI || target.startsWith(CLI + '/'))
          offenders.push(`${relative(LIB, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
