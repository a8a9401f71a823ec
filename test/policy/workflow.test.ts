import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const WORKFLOW = new URL('../../apps/github/flink-cutover-check.yml', import.meta.url);

it('the example workflow calls flink-cutover only with options the CLI has', async () => {
  const wf = parse(readFileSync(WORKFLOW, 'utf8')) as {
    jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
  };
  const runs = Object.values(wf.jobs)
    .flatMap((j) => j.steps)
    .map((s) => s.run ?? '')
    .join('\n');
  const calls = [...runs.matchAll(/npx flink-cutover (\w+)([^\n|>]*)/g)];
  expect(calls.map((c) => c[1])).toEqual(['synth', 'plan', 'check', 'check']);
  expect(runs).toMatch(/npx flink-cutover synth [^\n]*--check/);
  for (const [, command, args] of calls) {
    const help = (await runCli([command!, '--help'])).stdout;
    for (const flag of args!.match(/--[a-z-]+/g) ?? []) expect(help, `${command} ${flag}`).toContain(flag);
    for (const format of args!.match(/--format (\w+)/g) ?? []) expect(help).toContain(format.split(' ')[1]);
  }
  expect(
    Object.values(wf.jobs)
      .flatMap((j) => j.steps)
      .some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif')),
  ).toBe(true);
});
