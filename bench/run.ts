/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn (or those named on the command line).
 * Each prints one JSON object per line: {"name","value","unit","baseline","ratio"}.
 * Benchmarks are measurements, never pass/fail tests.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
for (const f of files) {
  process.stderr.write(`# ${f}\n`);
  await import(pathToFileURL(join(here, f)).href);
}
