import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApi, loadKubeConfig } from '../../lib/controller/kube.js';
import { LeaderElector } from '../../lib/controller/leader.js';
import { WorkQueue } from '../../lib/controller/queue.js';
import { FakeKube } from '../support/fake-kube.js';

describe('WorkQueue', () => {
  it('dedupes keys, holds a key being processed, and re-queues it if added meanwhile', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    const k = await q.get();
    expect(k).toBe('a');
    q.add('a'); // while processing: not handed out twice
    expect(await q.get()).toBe('b');
    let third: string | undefined = 'pending';
    const p = q.get().then((x) => (third = x));
    await Promise.resolve();
    expect(third).toBe('pending');
    q.done('a'); // now it is queued again
    await p;
    expect(third).toBe('a');
    q.shutdown();
    expect(await q.get()).toBeUndefined();
  });

  it('per-key exponential backoff, capped, reset by forget', () => {
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 500 });
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('k'))).toEqual([100, 200, 400, 500, 500]);
    expect(q.addRateLimited('other')).toBe(100);
    q.forget('k');
    expect(q.addRateLimited('k')).toBe(100);
    q.shutdown();
  });

  it('addAfter: the earlier of two delayed adds wins', async () => {
    const q = new WorkQueue();
    q.addAfter('k', 10_000);
    q.addAfter('k', 10);
    expect(await q.get()).toBe('k');
    q.shutdown();
  });
});

describe('LeaderElector on a Lease', () => {
  let kube: FakeKube;
  beforeEach(async () => {
    kube = await FakeKube.start();
  });
  afterEach(async () => kube.close());
  const elector = (id: string, events: string[]) =>
    new LeaderElector(new KubeApi(loadKubeConfig(kube.kubeconfigPath)), {
      namespace: 'ns',
      name: 'lock',
      identity: id,
      leaseDurationMs: 1000,
      renewDeadlineMs: 600,
      retryPeriodMs: 50,
      onStartedLeading: () => events.push(`${id} started`),
      onStoppedLeading: () => events.push(`${id} stopped`),
    });
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(f()).toBe(true);
  };

  it('one leader at a time; a released Lease is taken over at once; an expired one after the lease duration', async () => {
    const events: string[] = [];
    const a = elector('a', events);
    const b = elector('b', events);
    a.start();
    await until(() => a.isLeader);
    b.start();
    await until(() => kube.requests.filter((r) => r.method === 'GET').length > 5); // b has tried a few rounds
    expect(b.isLeader).toBe(false);
    const lease = () => kube.get('leases', 'ns', 'lock', 'coordination.k8s.io')!.spec;
    expect(lease()).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    await a.stop(true); // release
    expect(lease().holderIdentity ?? '').toBe('');
    await until(() => b.isLeader);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
    const c = elector('c', events);
    c.start();
    await b.stop(false); // dies holding it: c waits for the lease duration, then takes over
    await until(() => c.isLeader);
    expect(lease()).toMatchObject({ holderIdentity: 'c', leaseTransitions: 2 });
    await c.stop(true);
  });

  it('a leader that cannot renew within the renew deadline steps down', async () => {
    const events: string[] = [];
    const a = elector('a', events);
    a.start();
    await until(() => a.isLeader);
    kube.fault({ path: /leases/, status: 500 });
    await until(() => events.includes('a stopped'));
    expect(a.isLeader).toBe(false);
    kube.clearFaults();
    await until(() => a.isLeader);
    await a.stop(true);
  });

  it('refuses a renew deadline not shorter than the lease duration', () => {
    expect(
      () =>
        new LeaderElector(new KubeApi(loadKubeConfig(kube.kubeconfigPath)), {
          namespace: 'ns',
          name: 'l',
          identity: 'x',
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
        }),
    ).toThrow(/renew deadline/);
  });
});
