// procfs and sysfs redirection (CVE-2025-52881, CVE-2019-19921,
// CVE-2023-27561 class): a config or image that puts something else where
// tsrun-init writes /proc files, or makes /proc or /sys a symlink, must
// make create fail with a clear line and write nothing on the host.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle, type Bundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('procfs writes are checked on the fd', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  /** create must fail with `message`, leave nothing, and leave the canary as it was. */
  function refused(t: Test, bundle: Bundle, message: RegExp, canary?: string): void {
    const before = hostSnapshot(bundle.dir);
    const canaryBefore = canary ? readFileSync(canary, 'utf8') : '';
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1, 'create fails');
    t.match(r.stderr, message);
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    if (canary) t.equal(readFileSync(canary, 'utf8'), canaryBefore, 'the host canary is unchanged');
    t.same(tsrun.leftovers(), [], 'no state dir');
    t.same(hostSnapshot(bundle.dir, before), before, 'no cgroup, mount or process left');
  }

  function canaryFile(t: Test): string {
    const dir = t.testdir({ canary: 'host data\n' });
    return join(dir, 'canary');
  }

  t.test('a host file bind-mounted over a sysctl file is not written', async (t) => {
    const canary = canaryFile(t);
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.mounts.splice(1, 0, { destination: '/proc/sys/kernel/domainname', type: 'bind', source: canary, options: ['bind', 'rw'] });
      c.linux.sysctl = { 'kernel.domainname': 'pwned' };
    });
    refused(t, bundle, /sysctl \/proc\/sys\/kernel\/domainname \(refused: something is mounted over it/, canary);
  });

  t.test('a host directory bind-mounted over /proc/sys is not written', async (t) => {
    const dir = t.testdir({ kernel: { domainname: 'host data\n' } });
    const canary = join(dir, 'kernel/domainname');
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.mounts.splice(1, 0, { destination: '/proc/sys', type: 'bind', source: dir, options: ['rbind', 'rw'] });
      c.linux.sysctl = { 'kernel.domainname': 'pwned' };
    });
    refused(t, bundle, /refused: something is mounted over it/, canary);
  });

  t.test('a tmpfs over /proc makes a sysctl fail', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.mounts[0] = { destination: '/proc', type: 'tmpfs', source: 'tmpfs', options: ['rw'] };
      c.linux.maskedPaths = [];
      c.linux.readonlyPaths = [];
      c.linux.sysctl = { 'kernel.domainname': 'pwned' };
    });
    refused(t, bundle, /refused: \/proc is not the root of a procfs mount/);
  });

  t.test('a host file over the oom_score_adj of the container process is not written', async (t) => {
    const canary = canaryFile(t);
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.process.oomScoreAdj = 500;
      // The container process is pid 1 of its pid namespace: /proc/self is /proc/1.
      c.mounts.splice(1, 0, { destination: '/proc/1/oom_score_adj', type: 'bind', source: canary, options: ['bind', 'rw'] });
    });
    refused(t, bundle, /oom_score_adj 500 \(refused: something is mounted over it/, canary);
  });

  t.test('sysctl and oom_score_adj still work on a real procfs', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sh', '-c', 'cat /proc/sys/kernel/domainname /proc/self/oom_score_adj'];
      c.process.oomScoreAdj = 300;
      c.linux.sysctl = { 'kernel.domainname': 'fine.example' };
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'fine.example\n300\n');
  });

  for (const dir of ['proc', 'sys']) {
    t.test(`/${dir} in the image being a symlink makes create fail`, async (t) => {
      const bundle = makeBundle(t, (_c, b) => {
        rmSync(join(b.rootfs, dir), { recursive: true });
        mkdirSync(join(b.rootfs, 'elsewhere'));
        symlinkSync('/elsewhere', join(b.rootfs, dir));
      });
      bundle.config.process.args = ['true'];
      bundle.write();
      refused(t, bundle, new RegExp(`refusing to mount (proc|sysfs) at /${dir}: it is a symlink in the rootfs`));
    });
  }

  t.test('/sys reached through a symlinked parent is refused too', async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      c.process.args = ['true'];
      mkdirSync(join(b.rootfs, 'real/sys'), { recursive: true });
      symlinkSync('/real', join(b.rootfs, 'link'));
      c.mounts.push({ destination: '/link/sys', type: 'sysfs', source: 'sysfs', options: ['ro'] });
    });
    refused(t, bundle, /refusing to mount sysfs at \/link\/sys: it is a symlink in the rootfs, or goes through one/);
  });

  t.test('/proc in the image being a regular file makes create fail', async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      c.process.args = ['true'];
      rmSync(join(b.rootfs, 'proc'), { recursive: true });
      writeFileSync(join(b.rootfs, 'proc'), '');
    });
    refused(t, bundle, /refusing to mount proc at \/proc: not a directory/);
  });
});
