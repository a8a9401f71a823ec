/**
 * Runs the CLI in this process with the arguments given and prints, as JSON, the npm packages it
 * loaded (every CommonJS module loaded, also through `import`, is in the require cache).
 */
import { createRequire } from 'node:module';
import { run } from '../../lib/cli/main.js';

await run(process.argv.slice(2), { out() {}, err() {}, cwd: process.cwd(), env: {} });
const packages = new Set<string>();
for (const k of Object.keys(createRequire(import.meta.url).cache)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(k.split('node_modules/').length > 1 ? k : '');
  if (m) packages.add(m[1]!);
}
process.stdout.write(JSON.stringify([...packages].sort()) + '\n');
