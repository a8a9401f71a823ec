#!/usr/bin/env node
// Thin launcher: the CLI is compiled into build/ by `npm run build` (run by `npm ci` via "prepare").
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../build/lib/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('flink-cutover: build/ is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
