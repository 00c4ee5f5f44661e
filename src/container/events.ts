// events: runc's JSON lines about a running container. With --stats one
// {"type":"stats",…} line and done; otherwise a stats line every interval
// and an {"type":"oom",…} line whenever the OOM killer acts, until the
// container's process is gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { readCgroupStats } from '../cgroup/cgroup-stats.ts';
import { oomCounterReader, type OomCounter } from '../cgroup/oom.ts';
import { toJson } from '../cgroup/stats.ts';
import { messageOf, StateError } from '../errors.ts';
import { isAlive } from '../state/status.ts';
import { loadContainer } from './container.ts';
import { ALLOWED, allows } from '../state/operations.ts';

export interface EventsOptions {
  /** One stats event, then return. */
  stats: boolean;
  intervalMs: number;
  /** Writes one line; throws when the reader went away (EPIPE). */
  write: (line: string) => void;
  warn: (msg: string) => void;
}

// How often the OOM counter and the container's process are looked at
// between two stats events: a few small reads, cheap enough to catch an OOM
// promptly.
const POLL_MS = 100;

function event(type: 'stats' | 'oom', id: string, data?: unknown): string {
  return toJson({ type, id, ...(data !== undefined && { data }) });
}

export async function containerEvents(root: string, id: string, opts: EventsOptions): Promise<void> {
  const c = loadContainer(root, id);
  if (!allows('events', c.status))
    throw new StateError(id, 'wrong-status', `container with id ${id} is not running`, { status: c.status, wanted: ALLOWED.events });
  const dirs = c.cgroup.dirs();
  if (opts.stats) {
    opts.write(event('stats', id, readCgroupStats(dirs)));
    return;
  }

  const readOom = oomCounterReader(dirs);
  // Kills counted before we started are history; a container already stuck
  // under_oom is news (the kernel signals a v1 OOM eventfd registered then, too).
  const first = readOom?.();
  let last: OomCounter | undefined = first && { ...first, underOom: false };
  // An OOM kill is often what stops the container: look once more after it died.
  const checkOom = (): void => {
    const now = readOom?.();
    if (now === undefined) return;
    const killed = last !== undefined && now.kills > last.kills;
    const stuck = now.underOom && !(last?.underOom ?? false);
    if (killed || stuck) opts.write(event('oom', id));
    last = now;
  };

  let nextStats = Date.now() + opts.intervalMs;
  for (;;) {
    const alive = isAlive(c.state);
    checkOom();
    if (!alive) return;
    if (Date.now() >= nextStats) {
      nextStats += opts.intervalMs;
      // A missed deadline (a slow read, a suspended host) is not made up with a burst.
      if (nextStats < Date.now()) nextStats = Date.now() + opts.intervalMs;
      try {
        opts.write(event('stats', id, readCgroupStats(dirs)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw err;
        // As runc: a failed read is reported and the stream goes on.
        opts.warn(`stats of container ${id}: ${messageOf(err)}`);
      }
    }
    await sleep(Math.max(1, Math.min(POLL_MS, nextStats - Date.now())));
  }
}
