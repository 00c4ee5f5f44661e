import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('devices', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('the default devices exist with the right numbers, and the /dev symlinks', async (t) => {
    const r = runScript(
      t,
      tsrun,
      'for d in null zero full random urandom tty; do stat -c "%n %t:%T %a" /dev/$d; done; for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done',
    );
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), [
      '/dev/null 1:3 666',
      '/dev/zero 1:5 666',
      '/dev/full 1:7 666',
      '/dev/random 1:8 666',
      '/dev/urandom 1:9 666',
      '/dev/tty 5:0 666',
      '/proc/self/fd',
      '/proc/self/fd/0',
      '/proc/self/fd/1',
      '/proc/self/fd/2',
      'pts/ptmx',
    ]);
  });

  t.test('a device the rules do not allow cannot be opened, even with CAP_MKNOD', async (t) => {
    // /dev/loop-control is c 10:237; /dev/sda-like block 8:0.
    const r = runScript(
      t,
      tsrun,
      'mknod /dev/blk b 8 0 && echo mknod-ok; head -c1 /dev/blk >/dev/null 2>&1 && echo blk-open || echo blk-denied; echo x > /dev/null && echo null-ok',
      (c) => {
        for (const set of ['bounding', 'effective', 'permitted']) c.process.capabilities[set].push('CAP_MKNOD');
      },
    );
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['mknod-ok', 'blk-denied', 'null-ok']);
  });

  t.test('linux.devices are created as configured; reachable only when a rule allows them', async (t) => {
    const script = 'stat -c "%t:%T %a %u:%g" /dev/myfuse; (exec 3</dev/myfuse) 2>/dev/null && echo opened || echo refused';
    const fuse = { path: '/dev/myfuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 7, gid: 8 };
    const denied = runScript(t, tsrun, script, (c) => {
      c.linux.devices = [fuse];
    });
    t.equal(denied.status, 0, denied.stderr);
    t.same(denied.stdout.trim().split('\n'), ['a:e5 666 7:8', 'refused'], 'created, but the default-deny filter refuses it');
    const allowed = runScript(t, tsrun, script, (c) => {
      c.linux.devices = [fuse];
      c.linux.resources.devices.push({ allow: true, type: 'c', major: 10, minor: 229, access: 'rw' });
    });
    t.equal(allowed.status, 0, allowed.stderr);
    t.same(allowed.stdout.trim().split('\n'), ['a:e5 666 7:8', 'opened']);
  });

  t.test('a device path already holding something else is an error', async (t) => {
    const r = runScript(t, tsrun, 'true', (c) => {
      c.mounts = c.mounts.filter((m: any) => m.destination !== '/dev' && !m.destination.startsWith('/dev/'));
      c.linux.devices = [{ path: '/etc/passwd', type: 'c', major: 1, minor: 3, fileMode: 0o666 }];
    });
    t.equal(r.status, 1);
    t.match(r.stderr, /devices: \/etc\/passwd exists and is not the requested device/);
  });

  // Checked with the other semantic checks: refused before the state
  // directory and the cgroups exist, naming the field and why.
  t.test('a bad device rule fails create with its pointer and leaves no state dir or cgroup', async (t) => {
    const cgroupDirs = (id: string) => readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, 'tsrun', id));
    const cases: [rule: object, message: RegExp][] = [
      [
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rwx' },
        /\/linux\/resources\/devices\/3\/access: device access "rwx" has "x": use letters from "rwm"/,
      ],
      [
        { allow: true, type: 'u', major: 10, minor: 229, access: 'rw' },
        /\/linux\/resources\/devices\/3\/type: device type "u" must be one of a \(all\), b \(block\), c \(char\)/,
      ],
      [{ allow: false, type: 'b', major: 2 ** 32, access: 'r' }, /\/linux\/resources\/devices\/3\/major: device major 4294967296 must be from 0 to 4294967295/],
    ];
    for (const [rule, message] of cases) {
      const id = tsrun.id();
      const bundle = makeBundle(t, (c) => {
        c.process.args = ['true'];
        c.linux.cgroupsPath = `/tsrun/${id}`;
        c.linux.resources.devices.push({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5 }, rule);
      });
      bundle.write();
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1, JSON.stringify(rule));
      t.match(r.stderr, message);
      t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      t.notOk(existsSync(join(tsrun.root, id)), 'no state dir');
      t.same(
        cgroupDirs(id).filter((d) => existsSync(d)),
        [],
        'no cgroup dir in any hierarchy',
      );
    }
    // The control: the same config with a good rule makes exactly what the
    // bad one did not, so the looks above can see it.
    const id = tsrun.id();
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.linux.cgroupsPath = `/tsrun/${id}`;
      c.linux.resources.devices.push(
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 5 },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      );
    });
    bundle.write();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    t.ok(existsSync(join(tsrun.root, id)), 'the state dir exists');
    t.ok(
      cgroupDirs(id).some((d) => existsSync(d)),
      'a cgroup dir exists',
    );
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });
});
