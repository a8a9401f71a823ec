import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../lib/spec/paths.js';

/** Every text file under `dir` (skipping build output and dependencies). */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'target' || name === 'build' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|js|json|md|java|lua|ya?ml|sh|properties|xml)$/.test(name)) out.push(p);
  }
  return out;
}

describe('what users read stands on its own', () => {
  it('no source, schema, doc or message points at documents a user does not have', () => {
    const root = packageRoot();
    const places = ['lib', 'schemas', 'apps', 'java', 'README.md', 'DEPENDENCIES.md']
      .map((p) => join(root, p))
      .filter((p) => {
        try {
          statSync(p);
          return true;
        } catch {
          return false;
        }
      });
    const offenders: string[] = [];
    for (const f of places.flatMap((p) => (statSync(p).isDirectory() ? files(p) : [p]))) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/DESIGN\.md|\bthe thread\b|\.\.\/shared/.test(line))
            offenders.push(`${relative(root, f)}:${i + 1}: ${line.trim().slice(0, 100)}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
