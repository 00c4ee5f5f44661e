import t, { type Test } from 'tap';
import type { OomCounter } from '../../../src/cgroup/oom.ts';

type EventsModule = typeof import('../../../src/container/events.ts');

/**
 * events.ts with a scripted container: `alive` and `oom` are read at each
 * poll, in order; the last value repeats.
 */
async function scripted(t: Test, script: { status?: string; alive: boolean[]; oom: (OomCounter | undefined)[] }): Promise<EventsModule> {
  let aliveAt = 0;
  let oomAt = 0;
  const next = <T>(list: T[], i: number): T => list[Math.min(i, list.length - 1)]!;
  return t.mockImport<EventsModule>('../../../src/container/events.ts', {
    '../../../src/container/container.ts': {
      loadContainer: () => ({ id: 'c1', status: script.status ?? 'running', state: {}, cgroup: { dirs: () => ({ v1: {} }) } }),
    },
    '../../../src/state/status.ts': { isAlive: () => next(script.alive, aliveAt++) },
    '../../../src/cgroup/oom.ts': { oomCounterReader: () => () => next(script.oom, oomAt++) },
    '../../../src/cgroup/cgroup-stats.ts': { readCgroupStats: () => ({ pids: { current: 1n } }) },
  });
}

const opts = (lines: string[], extra: object = {}) => ({
  stats: false,
  intervalMs: 60_000,
  write: (l: string) => lines.push(l),
  warn: () => undefined,
  ...extra,
});

const counter = (kills: bigint, underOom = false): OomCounter => ({ kills, underOom });

t.test('--stats: one stats line with uint64 numbers, then return', async (t) => {
  const { containerEvents } = await scripted(t, { alive: [true], oom: [counter(0n)] });
  const lines: string[] = [];
  await containerEvents('/root', 'c1', opts(lines, { stats: true }));
  t.same(lines, ['{"type":"stats","id":"c1","data":{"pids":{"current":1}}}']);
});

t.test('an oom line per increase of the kill counter, also the one that stopped the container', async (t) => {
  const { containerEvents } = await scripted(t, {
    alive: [true, true, true, false],
    // first read is the baseline at start
    oom: [counter(2n), counter(2n), counter(3n), counter(3n), counter(4n)],
  });
  const lines: string[] = [];
  await containerEvents('/root', 'c1', opts(lines));
  t.same(lines, ['{"type":"oom","id":"c1"}', '{"type":"oom","id":"c1"}']);
});

t.test('under_oom (OOM killer disabled) reports once per episode', async (t) => {
  const { containerEvents } = await scripted(t, {
    alive: [true, true, true, true, false],
    oom: [counter(0n), counter(0n, true), counter(0n, true), counter(0n, false), counter(0n, true)],
  });
  const lines: string[] = [];
  await containerEvents('/root', 'c1', opts(lines));
  t.same(lines, ['{"type":"oom","id":"c1"}', '{"type":"oom","id":"c1"}']);
});

t.test('stats every interval until the container stops; a stopped container is an error', async (t) => {
  const { containerEvents } = await scripted(t, { alive: [true, true, true, true, true, true, true, true, false], oom: [undefined] });
  const lines: string[] = [];
  await containerEvents('/root', 'c1', opts(lines, { intervalMs: 1 }));
  t.ok(lines.length >= 3, `${lines.length} stats lines`);
  t.ok(lines.every((l) => l.startsWith('{"type":"stats","id":"c1"')));

  const stopped = await scripted(t, { status: 'stopped', alive: [false], oom: [undefined] });
  await t.rejects(stopped.containerEvents('/root', 'c1', opts([])), { message: 'container with id c1 is not running' });
});
