/**
 * One squeue for the whole run, at a modest interval (`poll_seconds`): the job names of every step waiting
 * on the cluster in one call — never one call per job or per step, and never sacct (a site's accounting
 * database is not for polling). Steps read the latest snapshot; a step that needs a fresh one (adopting a
 * killed run's jobs) asks for it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueTask } from './commands.js';

export interface Snapshot {
  /** When the squeue was started (ms since epoch): a job submitted after this is not in it yet. */
  readonly at: number;
  /** By `<array job id>_<task>`. */
  readonly tasks: ReadonlyMap<string, QueueTask>;
}

export class SlurmQueue {
  private readonly names = new Map<string, number>();
  private latest: Snapshot | undefined;
  private polling: Promise<Snapshot> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly squeue: (names: readonly string[]) => Promise<QueueTask[]>,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Watch the jobs of this name (until the returned function is called). */
  watch(name: string): () => void {
    this.names.set(name, (this.names.get(name) ?? 0) + 1);
    this.timer ??= setInterval(() => {
      void this.poll().catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.names.get(name) ?? 1) - 1;
      if (n > 0) this.names.set(name, n);
      else this.names.delete(name);
      if (this.names.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** The latest snapshot (undefined before the first poll). */
  snapshot(): Snapshot | undefined {
    return this.latest;
  }

  /** A snapshot taken now (or the one being taken now). */
  poll(): Promise<Snapshot> {
    this.polling ??= (async () => {
      const at = Date.now();
      try {
        const tasks = await this.squeue([...this.names.keys()].sort());
        this.latest = { at, tasks: new Map(tasks.map((t) => [t.id, t])) };
        return this.latest;
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /** Waits for a snapshot taken after `since`, at most until the signal aborts. */
  async after(since: number, signal: AbortSignal): Promise<Snapshot | undefined> {
    while (!signal.aborted) {
      if (this.latest !== undefined && this.latest.at > since) return this.latest;
      await sleep(Math.min(this.intervalMs, 250), undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.names.clear();
  }
}
