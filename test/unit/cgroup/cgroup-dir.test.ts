// CgroupDir against a fake cgroupfs made of plain files in t.testdir():
// interface files are ordinary files the test writes and reads.
import t from 'tap';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { CgroupDir } from '../../../src/cgroup/cgroup-dir.ts';
import { CgroupError } from '../../../src/errors.ts';

const { SIGKILL, SIGTERM } = osConstants.signals;
const later = (ms: number, fn: () => void) => setTimeout(fn, ms);

t.test('create makes missing parents, remove takes exactly those away', async (t) => {
  const root = t.testdir();
  const leaf = join(root, 'tsrun', 'c1');
  const cg = new CgroupDir(leaf);
  cg.create();
  t.ok(fs.statSync(leaf).isDirectory());
  t.same(cg.toRecord(), { path: leaf, created: [join(root, 'tsrun'), leaf] });
  await cg.remove();
  t.notOk(fs.existsSync(join(root, 'tsrun')), 'created parent removed');
  t.ok(fs.existsSync(root), 'pre-existing root kept');
  t.same(cg.toRecord().created, []);
});

t.test('an existing parent is not ours to remove', async (t) => {
  const root = t.testdir({ machine: {} });
  const cg = new CgroupDir(join(root, 'machine', 'c1'));
  cg.create();
  t.same(cg.toRecord().created, [join(root, 'machine', 'c1')]);
  await cg.remove();
  t.ok(fs.existsSync(join(root, 'machine')));
  t.notOk(fs.existsSync(join(root, 'machine', 'c1')));
});

t.test('a parent shared with another container stays until the last one goes', async (t) => {
  const root = t.testdir();
  const a = new CgroupDir(join(root, 'tsrun', 'a'));
  const b = new CgroupDir(join(root, 'tsrun', 'b'));
  a.create();
  b.create();
  t.same(b.toRecord().created, [join(root, 'tsrun', 'b')], 'b found the parent already there');
  await a.remove();
  t.ok(fs.existsSync(join(root, 'tsrun', 'b')), "b's cgroup untouched");
  t.notOk(fs.existsSync(join(root, 'tsrun', 'a')));
  await b.remove();
  t.notOk(fs.existsSync(join(root, 'tsrun', 'b')));
});

t.test('remove also removes sub-cgroups the container made inside its own', async (t) => {
  const root = t.testdir();
  const cg = new CgroupDir(join(root, 'c1'));
  cg.create();
  fs.mkdirSync(join(root, 'c1', 'nested', 'deeper'), { recursive: true });
  await cg.remove();
  t.notOk(fs.existsSync(join(root, 'c1')));
});

t.test('remove of an already removed cgroup is fine', async (t) => {
  const root = t.testdir();
  const cg = new CgroupDir(join(root, 'c1'));
  cg.create();
  fs.rmdirSync(join(root, 'c1'));
  await cg.remove();
  t.same(cg.toRecord().created, []);
});

t.test('an existing cgroup with processes is refused; an empty one is reused but not removed', async (t) => {
  const root = t.testdir({ busy: { 'cgroup.procs': '4242\n' }, idle: { 'cgroup.procs': '' } });
  const busy = new CgroupDir(join(root, 'busy'));
  t.throws(() => busy.create(), { name: 'CgroupError', path: join(root, 'busy'), message: /has processes \(4242\)/ });
  t.same(busy.toRecord().created, []);

  const idle = new CgroupDir(join(root, 'idle'));
  idle.create();
  t.same(idle.toRecord().created, []);
  await idle.remove();
  t.ok(fs.existsSync(join(root, 'idle')));
});

t.test('a failed create leaves none of its directories behind', async (t) => {
  const root = t.testdir();
  const leaf = join(root, 'p', 'c1');
  const { CgroupDir: Mocked } = await t.mockImport<typeof import('../../../src/cgroup/cgroup-dir.ts')>('../../../src/cgroup/cgroup-dir.ts', {
    'node:fs': {
      ...fs,
      mkdirSync: (path: fs.PathLike, ...rest: unknown[]) => {
        if (String(path) === leaf) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        return (fs.mkdirSync as (...a: unknown[]) => unknown)(path, ...rest);
      },
    },
  });
  const cg = new Mocked(leaf);
  t.throws(() => cg.create(), { name: 'CgroupError', message: /cannot create cgroup .*: ENOSPC/ });
  t.notOk(fs.existsSync(join(root, 'p')), 'parent made by this call removed again');
  t.same(cg.toRecord().created, []);
});

t.test('toRecord / fromRecord round-trip, and fromRecord checks what remove() will trust', async (t) => {
  const rec = { path: '/sys/fs/cgroup/tsrun/c1', created: ['/sys/fs/cgroup/tsrun', '/sys/fs/cgroup/tsrun/c1'] };
  const cg = CgroupDir.fromRecord(JSON.parse(JSON.stringify(rec)));
  t.equal(cg.path, rec.path);
  t.same(cg.toRecord(), rec);
  t.same(CgroupDir.fromRecord({ path: '/x/y' }).toRecord(), { path: '/x/y', created: [] }, 'created defaults to none');

  t.throws(() => CgroupDir.fromRecord({ path: '/sys/fs/cgroup/c1', created: ['/etc'] }), {
    name: 'CgroupError',
    message: /created directory \/etc is not the cgroup or one of its parents/,
  });
  t.throws(() => CgroupDir.fromRecord({ path: '/sys/fs/cgroup/c1', created: ['/sys/fs/cgroup/c'] }), CgroupError, 'prefix is not parent');
  t.throws(() => CgroupDir.fromRecord({ path: 'relative' }), CgroupError);
  t.throws(() => CgroupDir.fromRecord(null), CgroupError);
  t.throws(() => CgroupDir.fromRecord({ path: '/a', created: [1] }), CgroupError);
});

t.test('procs lists cgroup.procs; a vanished cgroup has none', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.procs': '1\n22\n333\n' } });
  t.same(new CgroupDir(join(root, 'c1')).procs(), [1, 22, 333]);
  t.same(new CgroupDir(join(root, 'gone')).procs(), []);
});

t.test('openDirFd opens the directory', async (t) => {
  const root = t.testdir({ c1: {} });
  const fd = new CgroupDir(join(root, 'c1')).openDirFd();
  t.teardown(() => fs.closeSync(fd));
  t.ok(fs.fstatSync(fd).isDirectory());
  t.throws(() => new CgroupDir(join(root, 'none')).openDirFd(), { name: 'CgroupError', message: /ENOENT/ });
});

t.test('write and read name the file on failure', async (t) => {
  const root = t.testdir({ c1: { 'pids.max': 'max\n' } });
  const cg = new CgroupDir(join(root, 'c1'));
  cg.write('pids.max', '10');
  t.equal(cg.read('pids.max'), '10');
  t.throws(() => cg.write('no/such/file', '1'), {
    name: 'CgroupError',
    path: join(root, 'c1', 'no/such/file'),
    message: /cannot write "1" to .*no\/such\/file: ENOENT/,
  });
});

t.test('killAll(SIGKILL) writes 1 to cgroup.kill when the kernel has it', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.kill': '', 'cgroup.procs': '' } });
  new CgroupDir(join(root, 'c1')).killAll(SIGKILL);
  t.equal(fs.readFileSync(join(root, 'c1', 'cgroup.kill'), 'utf8'), '1');
});

t.test('killAll is a no-op once the cgroup is gone', async (t) => {
  const root = t.testdir();
  t.doesNotThrow(() => new CgroupDir(join(root, 'gone')).killAll(SIGKILL));
});

t.test('other signals (and SIGKILL without cgroup.kill) go to each pid, sub-cgroups included', async (t) => {
  const top = spawn('sleep', ['30']);
  const nested = spawn('sleep', ['30']);
  const dead = spawn('true');
  await Promise.all([once(top, 'spawn'), once(nested, 'spawn'), once(dead, 'exit')]);
  t.teardown(() => {
    top.kill('SIGKILL');
    nested.kill('SIGKILL');
  });
  const root = t.testdir({
    c1: {
      'cgroup.kill': '',
      // A pid that has exited since cgroup.procs was read: ESRCH is ignored.
      'cgroup.procs': `${top.pid}\n${dead.pid}\n`,
      sub: { 'cgroup.procs': `${nested.pid}\n` },
    },
  });
  const cg = new CgroupDir(join(root, 'c1'));
  const exits = Promise.all([once(top, 'exit'), once(nested, 'exit')]);
  cg.killAll(SIGTERM);
  const [[, topSignal], [, nestedSignal]] = await exits;
  t.equal(topSignal, 'SIGTERM');
  t.equal(nestedSignal, 'SIGTERM');
  t.equal(fs.readFileSync(join(root, 'c1', 'cgroup.kill'), 'utf8'), '', 'cgroup.kill only for SIGKILL');

  const victim = spawn('sleep', ['30']);
  await once(victim, 'spawn');
  t.teardown(() => victim.kill('SIGKILL'));
  const noKillFile = t.testdir({ c2: { 'cgroup.procs': `${victim.pid}\n` } });
  const exit = once(victim, 'exit');
  new CgroupDir(join(noKillFile, 'c2')).killAll(SIGKILL);
  t.equal((await exit)[1], 'SIGKILL', 'kernels before 5.14: SIGKILL each pid');
});

t.test('freeze writes cgroup.freeze and waits for "frozen 1"; thaw the reverse', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.freeze': '0', 'cgroup.events': 'populated 1\nfrozen 0\n' } });
  const events = join(root, 'c1', 'cgroup.events');
  const cg = new CgroupDir(join(root, 'c1'));
  t.equal(cg.isFrozen(), false);

  let settled = false;
  const freezing = cg.freeze(2000).then(() => (settled = true));
  await new Promise((r) => later(30, () => r(undefined)));
  t.equal(settled, false, 'still waiting for the kernel');
  t.equal(fs.readFileSync(join(root, 'c1', 'cgroup.freeze'), 'utf8'), '1');
  fs.writeFileSync(events, 'populated 1\nfrozen 1\n');
  await freezing;
  t.equal(cg.isFrozen(), true);

  const thawing = cg.thaw(2000);
  later(20, () => fs.writeFileSync(events, 'populated 1\nfrozen 0\n'));
  await thawing;
  t.equal(fs.readFileSync(join(root, 'c1', 'cgroup.freeze'), 'utf8'), '0');
  t.equal(cg.isFrozen(), false);
});

t.test('a freeze that never completes times out and asks the kernel to thaw', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.freeze': '0', 'cgroup.events': 'populated 1\nfrozen 0\n' } });
  const cg = new CgroupDir(join(root, 'c1'));
  await t.rejects(cg.freeze(50), { name: 'CgroupError', message: /did not freeze within 50 ms/ });
  t.equal(fs.readFileSync(join(root, 'c1', 'cgroup.freeze'), 'utf8'), '0');
});

t.test('waitEmpty polls cgroup.events for "populated 0"', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.events': 'populated 1\nfrozen 0\n' } });
  const cg = new CgroupDir(join(root, 'c1'));
  t.equal(await cg.waitEmpty(30), false, 'times out while populated');
  later(20, () => fs.writeFileSync(join(root, 'c1', 'cgroup.events'), 'populated 0\nfrozen 0\n'));
  t.equal(await cg.waitEmpty(2000), true);
  t.equal(await new CgroupDir(join(root, 'gone')).waitEmpty(10), true, 'a removed cgroup is empty');
});

t.test('paths must be absolute', async (t) => {
  t.throws(() => new CgroupDir('tsrun/c1'), { name: 'CgroupError', message: /not absolute/ });
});

t.test('an existing cgroup whose sub-cgroups hold processes is refused', async (t) => {
  const root = t.testdir({ c1: { 'cgroup.procs': '', 'cgroup.events': 'populated 1\nfrozen 0\n' } });
  t.throws(() => new CgroupDir(join(root, 'c1')).create(), { name: 'CgroupError', message: /has processes in sub-cgroups/ });
});

t.test('a file where the cgroup should be is an error, not a silent success', async (t) => {
  const root = t.testdir({ c1: 'not a directory' });
  t.throws(() => new CgroupDir(join(root, 'c1')).create(), { name: 'CgroupError', message: /ENOTDIR/ });
});
