import t from 'tap';
import { parseOomCounter } from '../../../src/cgroup/oom.ts';

t.test('v1 memory.oom_control', async (t) => {
  t.same(parseOomCounter('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n'), { kills: 3n, underOom: false });
  t.same(parseOomCounter('oom_kill_disable 1\nunder_oom 1\noom_kill 0\n'), { kills: 0n, underOom: true });
  // Before Linux 4.13 there is no oom_kill line.
  t.same(parseOomCounter('oom_kill_disable 0\nunder_oom 0\n'), { kills: 0n, underOom: false });
});

t.test('v2 memory.events', async (t) => {
  t.same(parseOomCounter('low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n'), { kills: 2n, underOom: false });
  t.same(parseOomCounter(''), { kills: 0n, underOom: false });
});
