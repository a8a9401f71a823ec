import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/pipelines.js';

describe('flink-cutover (top level)', () => {
  it('lists every command in --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'synth',
      'init',
      'check',
      'plan',
      'stage',
      'schedule',
      'cancel',
      'teardown',
      'rollback',
      'abandon',
      'verify',
      'simulate',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it('every command has --help', async () => {
    const top = await runCli(['--help']);
    const names = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const n of names) {
      const r = await runCli([n, '--help']);
      expect(r.code, n).toBe(0);
      expect(r.stdout, n).toContain(`Usage: flink-cutover ${n}`);
    }
  });

  it('exits 2 for an unknown command, an unknown option or no command', async () => {
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
    expect((await runCli(['synth', '--nope'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
  });

  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('flink-cutover as a process', () => {
  it('ends quietly when its reader has closed the pipe (… | head, … | true)', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `"${process.execPath}" --import tsx lib/cli/main.ts simulate --scenario apps/scenarios/blue-to-green.yaml 2>"$ERR" | true; echo "rc=\${PIPESTATUS[0]}"; cat "$ERR"`;
    const out = execFileSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, ERR: join(tempDir(), 'stderr') },
    });
    expect(out).toBe('rc=0\n');
    expect(out).not.toContain('EPIPE');
  });
});
