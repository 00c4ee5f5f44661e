import t from 'tap';
import { Rollback } from '../../../src/container/rollback.ts';

t.test('undo steps run in reverse order of registration', async (t) => {
  const r = new Rollback();
  const ran: string[] = [];
  r.add('remove dir', () => void ran.push('dir'));
  r.add('remove cgroup', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    ran.push('cgroup');
  });
  r.add('kill init', () => void ran.push('init'));
  const warnings: string[] = [];
  await r.run((w) => warnings.push(w));
  t.same(ran, ['init', 'cgroup', 'dir'], 'the last side effect is undone first; async steps are awaited');
  t.same(warnings, []);
});

t.test('a failing undo is a warning naming it; the others still run', async (t) => {
  const r = new Rollback();
  const ran: string[] = [];
  r.add('remove dir', () => void ran.push('dir'));
  r.add('remove cgroup', () => {
    throw new Error('EBUSY: cgroup not empty');
  });
  r.add('kill init', async () => {
    throw 'no such process';
  });
  const warnings: string[] = [];
  await r.run((w) => warnings.push(w));
  t.same(ran, ['dir']);
  t.same(warnings, ['cleanup: kill init: no such process', 'cleanup: remove cgroup: EBUSY: cgroup not empty']);
});

t.test("the caller's first error is the one that stays: run never throws", async (t) => {
  const r = new Rollback();
  r.add('remove dir', () => {
    throw new Error('second failure');
  });
  const first = new Error('mounts: EPERM');
  const caught = await (async () => {
    try {
      throw first;
    } catch (err) {
      await r.run(() => {});
      return err;
    }
  })();
  t.equal(caught, first);
});

t.test('run and clear empty the stack: nothing is undone twice, a success undoes nothing', async (t) => {
  const r = new Rollback();
  let count = 0;
  r.add('x', () => void count++);
  await r.run(() => {});
  await r.run(() => {});
  t.equal(count, 1, 'ran once');
  r.add('y', () => void count++);
  r.clear();
  await r.run(() => {});
  t.equal(count, 1, 'cleared: create succeeded, nothing to undo');
});
