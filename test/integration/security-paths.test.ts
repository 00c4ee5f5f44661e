// Symlinks and swapped files inside the rootfs (CVE-2021-30465,
// CVE-2019-19921, CVE-2025-31133, CVE-2025-52565 class): mount
// destinations, devices, readonly and masked paths resolve inside the
// rootfs whatever the image's symlinks say; /dev/null, /dev/ptmx and
// /dev/console are checked on their fds before tsrun binds them. The
// swaps a racing neighbour would make are made here by a createContainer
// hook, which runs in the container's mount namespace just before
// pivot_root. Judged from the host: mountinfo, host directories, hashes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle, type Bundle } from '../helpers/bundle.ts';
import { hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

function mountedAt(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

const corePattern = () => createHash('sha256').update(readFileSync('/proc/sys/kernel/core_pattern')).digest('hex');

t.test('paths inside the rootfs', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  function hostDir(t: Test): string {
    return t.testdir({ secret: 'host data\n' });
  }

  /** create must succeed, leave the host directories alone, and be deletable. */
  function createdContained(t: Test, bundle: Bundle, hostPaths: string[]): void {
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    for (const p of hostPaths) {
      t.notOk(mountedAt(p), `nothing mounted at the host's ${p}`);
      t.same(readdirSync(p), ['secret'], `${p} unchanged`);
    }
    writeFileSync(join(hostPaths[0]!, 'secret'), 'host data\n');
    t.pass('the host directory is still writable (not remounted read-only)');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  }

  t.test('a mount destination through an absolute symlink to a host directory', async (t) => {
    const host = hostDir(t);
    const bundle = makeBundle(t, (c, b) => {
      mkdirSync(join(b.rootfs, 'mnt'));
      symlinkSync(host, join(b.rootfs, 'mnt/evil'));
      c.process.args = ['true'];
      c.mounts.push({ destination: '/mnt/evil', type: 'tmpfs', source: 'tmpfs', options: ['rw'] });
    });
    // The symlink resolves inside the rootfs, where its target is missing:
    // create refuses, naming the mount point; the host never sees a mount.
    const before = hostSnapshot(bundle.dir);
    const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    t.match(r.stderr, /mount point \/mnt\/evil in the rootfs: ENOENT/);
    t.notOk(mountedAt(host), `nothing mounted at the host's ${host}`);
    t.same(readdirSync(host), ['secret']);
    t.same(hostSnapshot(bundle.dir, before), before, 'nothing left');
  });

  t.test('a mount destination climbing out with ..', async (t) => {
    const host = hostDir(t);
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.mounts.push({ destination: `/../../../../..${host}`, type: 'tmpfs', source: 'tmpfs', options: ['rw'] });
    });
    createdContained(t, bundle, [host]);
  });

  t.test('a device, a readonly path and a masked path through symlinks to host directories', async (t) => {
    const [devHost, roHost, maskHost] = [hostDir(t), t.testdir({ secret: 'ro\n' }), t.testdir({ secret: 'mask\n' })];
    const bundle = makeBundle(t, (c, b) => {
      symlinkSync(devHost, join(b.rootfs, 'devdir'));
      symlinkSync(roHost, join(b.rootfs, 'ro'));
      symlinkSync(maskHost, join(b.rootfs, 'mask'));
      c.process.args = ['true'];
      c.linux.devices = [{ path: '/devdir/evilnull', type: 'c', major: 1, minor: 3, fileMode: 0o666 }];
      c.linux.readonlyPaths.push('/ro');
      c.linux.maskedPaths.push('/mask');
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    // Either refused (the symlink's target is missing inside the rootfs) or
    // applied inside it; the host directories never see it.
    if (r.status !== 0) t.match(r.stderr, /devdir|ENOENT/);
    for (const p of [devHost, roHost, maskHost]) {
      t.notOk(mountedAt(p), `nothing mounted at the host's ${p}`);
      t.same(readdirSync(p), ['secret'], `${p} unchanged: no device node there`);
    }
    writeFileSync(join(roHost, 'secret'), 'still writable\n');
    t.pass('the host directory behind the readonly path is still writable');
    tsrun.run(['delete', '--force', id]);
  });

  // A createContainer hook stands in for a neighbour racing us: it swaps
  // <rootfs>/dev/<name> just before the masking and console steps.
  const swaps: [string, string, RegExp][] = [
    [
      '/dev/null as a symlink to core_pattern',
      'rm -f "$R/dev/null"; ln -s /proc/sys/kernel/core_pattern "$R/dev/null"',
      /refusing to mask \/proc\/\w+: \/dev\/null in the container is not the null device/,
    ],
    ['/dev/null as a regular file', 'rm -f "$R/dev/null"; echo x > "$R/dev/null"', /not the null device/],
    ['/dev/null as another device (zero)', 'rm -f "$R/dev/null"; mknod -m 666 "$R/dev/null" c 1 5', /not the null device/],
  ];
  for (const [name, script, message] of swaps) {
    t.test(`masking refuses ${name}`, async (t) => {
      const core = corePattern();
      const bundle = makeBundle(t, (c, b) => {
        c.process.args = ['true'];
        c.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `R=${b.rootfs}; ${script}`] }] };
      });
      const before = hostSnapshot(bundle.dir);
      const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
      t.equal(r.status, 1, 'create fails');
      t.match(r.stderr, message);
      t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      t.equal(corePattern(), core, 'the host core_pattern is unchanged');
      t.same(tsrun.leftovers(), []);
      t.same(hostSnapshot(bundle.dir, before), before, 'nothing left');
    });
  }

  /** `tsrun run` of a terminal container under script(1), for the console steps. */
  function runWithTerminal(bundle: Bundle): { status: number | null; out: string } {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const cmd = `${TSRUN} --root ${tsrun.root} run --bundle ${bundle.dir} ${tsrun.id()}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 60_000 });
    return { status: r.status, out: r.stdout.replace(/\r/g, '').replace(/\^@/g, '') };
  }

  const consoleSwaps: [string, string, RegExp][] = [
    [
      '/dev/console as a symlink to core_pattern',
      'rm -f "$R/dev/console"; ln -s /proc/sys/kernel/core_pattern "$R/dev/console"',
      /refusing to bind the console at \/dev\/console: it is not a file or a character device/,
    ],
    ['/dev/console as a directory', 'rm -f "$R/dev/console"; mkdir "$R/dev/console"', /refusing to bind the console at \/dev\/console/],
    ['/dev/ptmx as the null device', 'rm -f "$R/dev/ptmx"; mknod -m 666 "$R/dev/ptmx" c 1 3', /refusing \/dev\/ptmx: it is not the pty multiplexer/],
  ];
  for (const [name, script, message] of consoleSwaps) {
    t.test(`the console refuses ${name}`, async (t) => {
      const core = corePattern();
      const bundle = makeBundle(t, (c, b) => {
        c.process.terminal = true;
        c.process.args = ['true'];
        c.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `R=${b.rootfs}; ${script}`] }] };
      });
      const r = runWithTerminal(bundle);
      t.not(r.status, 0, 'run fails');
      t.match(r.out, message);
      t.equal(corePattern(), core, 'the host core_pattern is unchanged');
      t.same(tsrun.leftovers(), []);
    });
  }

  t.test("with nothing swapped, /dev/console is the container's pty", async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.terminal = true;
      c.process.args = ['sh', '-c', 'stat -c "%t %T" /dev/console "$(tty)"'];
    });
    const r = runWithTerminal(bundle);
    t.equal(r.status, 0, r.out);
    const [consoleDev, ttyDev] = r.out.trim().split('\n').slice(-2);
    t.equal(consoleDev, ttyDev, '/dev/console is the same device as the pty on stdin');
  });
});
