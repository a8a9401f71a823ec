import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { describeWithKubeApiServer } from '../support/kube-suite.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Whether any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`still not the case after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithKubeApiServer('the API server helper leaves nothing behind', () => {
  it('stop() ends etcd and kube-apiserver and removes the temporary folder', async () => {
    const kube = await startKubeApiServer({ crds: false });
    expect((await kube.request('GET', '/readyz')).status).toBe(200);
    expect(kube.processGroups).toHaveLength(2);
    expect(kube.processGroups.every(groupAlive)).toBe(true);
    await kube.stop();
    expect(kube.processGroups.filter(groupAlive)).toEqual([]);
    expect(existsSync(kube.dir)).toBe(false);
  }, 120_000);

  it('a test process killed with SIGKILL takes etcd and kube-apiserver with it', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'support', 'kube-hold.ts')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        out += c;
        if (out.includes('\n')) res(out.split('\n')[0]!);
      });
      child.on('exit', (code) => rej(new Error(`kube-hold exited (${code}) before it was ready: ${out}`)));
    });
    const held = JSON.parse(line) as { url: string; processGroups: number[] };
    expect(held.processGroups).toHaveLength(2);
    expect(held.processGroups.every(groupAlive)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(`process groups ${held.processGroups.join(', ')} gone`, () =>
      held.processGroups.every((g) => !groupAlive(g)),
    );
  }, 120_000);
});
