// Id-mapped bind mounts: files owned by host ids appear with the mapped
// ids inside, through the mount's own mappings or the container's user
// namespace ones (idmap alone); ridmap maps submounts too.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('id-mapped mounts', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const data = t.testdir({ 'owned.txt': 'x', sub: {} });
  chownSync(join(data, 'owned.txt'), 2000, 3000);
  chmodSync(data, 0o755);

  t.test("the mount's own mappings: on-disk 2000:3000 shows as 100:200", async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['stat', '-c', '%u:%g', '/data/owned.txt'];
      c.mounts.push({
        destination: '/data',
        type: 'bind',
        source: data,
        options: ['bind', 'ro'],
        uidMappings: [{ containerID: 2000, hostID: 100, size: 1 }],
        gidMappings: [{ containerID: 3000, hostID: 200, size: 1 }],
      });
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    // mount_setattr(2): an on-disk id equal to a mapping's containerID is
    // seen as its hostID through the mount (here by a container without a
    // user namespace, i.e. with host ids).
    t.equal(r.stdout.trim(), '100:200');
  });

  t.test("idmap alone maps through the container's user namespace", async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      chmodSync(b.dir, 0o755);
      mkdirSync(join(b.rootfs, 'data')); // the namespace's root cannot create it in a host-owned rootfs
      c.process.args = ['sh', '-c', 'stat -c %u:%g /data/owned.txt; stat -c %u:%g /'];
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.mounts.push({ destination: '/data', type: 'bind', source: data, options: ['bind', 'idmap'] });
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    const [owned] = r.stdout.trim().split('\n');
    // On disk 2000:3000; the mount maps container id n to host 100000+n,
    // so the container (whose id n is host 100000+n) sees 2000:3000 as its own.
    t.equal(owned, '2000:3000');
  });

  t.test('ridmap maps submounts too; idmap with rbind takes them along unmapped', async (t) => {
    // Not t.testdir: its removal would run before the submount is gone.
    const tree = mkdtempSync(join(tmpdir(), 'tsrun-idmap-'));
    chmodSync(tree, 0o755);
    writeFileSync(join(tree, 'top'), 'x');
    chownSync(join(tree, 'top'), 2000, 3000);
    mkdirSync(join(tree, 'sub'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'tsrun-idmap-test', join(tree, 'sub')]);
    t.teardown(() => {
      execFileSync('umount', ['-l', join(tree, 'sub')]);
      rmSync(tree, { recursive: true, force: true });
    });
    writeFileSync(join(tree, 'sub', 'inner'), 'y');
    chownSync(join(tree, 'sub', 'inner'), 2000, 3000);
    const run = (option: string) => {
      const bundle = makeBundle(t, (c, b) => {
        chmodSync(b.dir, 0o755);
        mkdirSync(join(b.rootfs, 'data'));
        c.process.args = ['stat', '-c', '%u:%g', '/data/top', '/data/sub/inner'];
        c.linux.namespaces.push({ type: 'user' });
        c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.mounts.push({ destination: '/data', type: 'bind', source: tree, options: ['rbind', option] });
      });
      return tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    };
    const r = run('ridmap');
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['2000:3000', '2000:3000'], 'ridmap: both levels mapped');
    const plain = run('idmap');
    t.equal(plain.status, 0, plain.stderr);
    // Unmapped in the container's user namespace: the overflow ids.
    t.same(plain.stdout.trim().split('\n'), ['2000:3000', '65534:65534'], 'idmap: the submount is there, not mapped');
  });

  t.test('a filesystem the kernel will not id-map: a clear error naming the mount, nothing left', async (t) => {
    const bundle = makeBundle(t, (c) => {
      const map = [{ containerID: 0, hostID: 1000, size: 1 }];
      c.mounts.push({ destination: '/p', type: 'bind', source: '/proc/self', options: ['rbind'], uidMappings: map, gidMappings: map });
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/mounts\/7: cannot id-map \/proc\/self: mount_setattr/);
    t.notOk(tsrun.leftovers().includes(id));
  });
});
