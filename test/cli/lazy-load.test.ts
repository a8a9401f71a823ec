import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandDescriptors } from '../../lib/cli/commands/index.js';
import { buildProgram, programFor } from '../../lib/cli/main.js';
import type { CommandModule } from '../../lib/cli/io.js';

const root = new URL('../..', import.meta.url).pathname;

function loaded(args: string[]): string[] {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'test/support/loaded-packages.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

const io = { out() {}, err() {}, cwd: root, env: {} };

describe('the CLI loads only the command it runs', () => {
  for (const args of [
    ['--help'],
    ['check', '--help'],
    ['plan', '--help'],
    ['check', '--head', 'apps/pipelines', '--base-ref', 'HEAD', '--now', '2026-12-01T10:00:00Z'],
  ])
    it(`${args.join(' ')}: no cdk8s-plus-28, no cdk8s, no Kubernetes client`, () => {
      const pkgs = loaded(args);
      expect(pkgs).toContain('commander');
      expect(pkgs).not.toContain('cdk8s-plus-28');
      expect(pkgs).not.toContain('cdk8s');
      expect(pkgs).not.toContain('@kubernetes/client-node');
    });

  it('synth loads cdk8s (it renders)', () => {
    expect(loaded(['synth', '--check', '--full'])).toContain('cdk8s-plus-28');
  });

  it('lists every command as the command itself registers it (name, usage, description)', async () => {
    const modules = new Map<string, CommandModule>();
    for (const d of commandDescriptors) modules.set(d.name, await d.load());
    let full = '';
    let lazy = '';
    const fullProgram = buildProgram({ ...io, out: (t) => (full += t) }, () => {}, modules);
    const lazyProgram = await programFor(['--help'], { ...io, out: (t) => (lazy += t) }, () => {});
    expect(lazyProgram.commands.map((c) => c.name())).toEqual(fullProgram.commands.map((c) => c.name()));
    expect(lazyProgram.helpInformation()).toBe(fullProgram.helpInformation());
    for (const d of commandDescriptors) {
      const c = fullProgram.commands.find((x) => x.name() === d.name)!;
      expect(c.description()).toBe(d.description);
    }
    expect(full + lazy).toBe('');
  });
});
