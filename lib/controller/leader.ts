/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: a candidate
 * acquires the Lease when it is free or its holder has not renewed it for the lease duration (as
 * observed on this candidate's own clock, so clocks need not agree), renews it every retry period,
 * and steps down when a renewal has not succeeded within the renew deadline. Writes use the
 * Lease's resourceVersion as precondition, so two candidates never both win the same round.
 */
import type { KubeApi, LeaseRecord } from './kube.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a non-renewed Lease keeps others out (ms). @default 15000 */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long (ms; < leaseDuration). @default 10000 */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew (ms). @default 2000 */
  retryPeriodMs?: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  onError?: (err: Error) => void;
  now?: () => number;
}

export class LeaderElector {
  private readonly api: KubeApi;
  private readonly o: Required<
    Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader' | 'onError' | 'now'>
  > &
    Pick<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader' | 'onError'>;
  private readonly now: () => number;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  /** The record last seen and when (this candidate's clock) it last changed. */
  private observed: { record: LeaseRecord; at: number } | undefined;
  private lastRenew = 0;
  private loop: Promise<void> | undefined;
  private lastLeader: string | undefined;

  constructor(api: KubeApi, options: LeaderElectionOptions) {
    this.api = api;
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    this.now = options.now ?? Date.now;
    if (this.o.renewDeadlineMs >= this.o.leaseDurationMs)
      throw new Error('leader election: the renew deadline must be shorter than the lease duration');
  }

  get isLeader(): boolean {
    return this.leading && !this.stopped && this.now() - this.lastRenew < this.o.renewDeadlineMs;
  }

  get identity(): string {
    return this.o.identity;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
      this.timer = setTimeout(r, ms);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.o.onError?.(err as Error);
      }
      if (this.stopped) break;
      if (ok) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = true;
          this.o.onStartedLeading?.();
        }
      } else if (this.leading && this.now() - this.lastRenew >= this.o.renewDeadlineMs) {
        this.leading = false;
        this.o.onStoppedLeading?.();
      }
      await this.sleep(this.o.retryPeriodMs);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    const now = this.now();
    const durationS = Math.max(1, Math.ceil(this.o.leaseDurationMs / 1000));
    const current = await this.api.readLease(namespace, name);
    if (!current) {
      const created = await this.api.writeLease(namespace, name, {
        holderIdentity: identity,
        leaseDurationSeconds: durationS,
        acquireTime: new Date(now),
        renewTime: new Date(now),
        leaseTransitions: 0,
      });
      this.observed = { record: created, at: now };
      this.noteLeader(identity);
      return true;
    }
    const key = (r: LeaseRecord) =>
      `${r.holderIdentity ?? ''}|${r.renewTime?.getTime() ?? 0}|${r.resourceVersion ?? ''}`;
    if (!this.observed || key(this.observed.record) !== key(current))
      this.observed = { record: current, at: now };
    const holder = current.holderIdentity ?? '';
    if (holder) this.noteLeader(holder);
    const leaseMs = (current.leaseDurationSeconds ?? durationS) * 1000;
    if (holder && holder !== identity && this.observed.at + leaseMs > now) return false;
    const mine = holder === identity;
    const next: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: durationS,
      acquireTime: mine && current.acquireTime ? current.acquireTime : new Date(now),
      renewTime: new Date(now),
      leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
      ...(current.resourceVersion ? { resourceVersion: current.resourceVersion } : {}),
    };
    const written = await this.api.writeLease(namespace, name, next);
    this.observed = { record: written, at: now };
    this.noteLeader(identity);
    return true;
  }

  private noteLeader(identity: string): void {
    if (identity !== this.lastLeader) {
      this.lastLeader = identity;
      this.o.onNewLeader?.(identity);
    }
  }

  /** Stops; a leader releases the Lease (holder cleared) so another candidate takes over at once. */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop?.catch(() => undefined);
    const wasLeading = this.leading;
    this.leading = false;
    if (wasLeading && release) {
      try {
        const current = await this.api.readLease(this.o.namespace, this.o.name);
        if (current?.holderIdentity === this.o.identity) {
          await this.api.writeLease(this.o.namespace, this.o.name, {
            ...current,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            renewTime: new Date(this.now()),
          });
        }
      } catch (err) {
        this.o.onError?.(err as Error);
      }
    }
    if (wasLeading) this.o.onStoppedLeading?.();
  }
}
