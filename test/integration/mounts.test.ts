import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('mounts and the root filesystem', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('bind mounts, read-write and read-only', async (t) => {
    const shared = t.testdir({ 'in.txt': 'from the host\n' });
    const r = runScript(
      t,
      tsrun,
      'cat /rw/in.txt; echo written > /rw/out.txt && echo rw-ok; echo x > /ro/x.txt 2>/dev/null || echo ro-refused; cat /ro/in.txt',
      (c) => {
        c.mounts.push({ destination: '/rw', type: 'bind', source: shared, options: ['rbind', 'rw'] });
        c.mounts.push({ destination: '/ro', type: 'bind', source: shared, options: ['rbind', 'ro'] });
      },
    );
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['from the host', 'rw-ok', 'ro-refused', 'from the host']);
    t.equal(readFileSync(join(shared, 'out.txt'), 'utf8'), 'written\n', 'the write reached the host');
  });

  t.test('a file bind mount and a relative source (relative to the bundle)', async (t) => {
    const r = runScript(t, tsrun, 'cat /etc/greeting', (c, b) => {
      writeFileSync(join(b.dir, 'greeting'), 'hi from the bundle\n');
      c.mounts.push({ destination: '/etc/greeting', type: 'bind', source: 'greeting', options: ['bind', 'ro'] });
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), 'hi from the bundle');
  });

  t.test('root.readonly makes / read-only; tmpfs mounts stay writable', async (t) => {
    const r = runScript(t, tsrun, 'touch /newfile 2>/dev/null && echo root-rw || echo root-ro; touch /dev/shm/x && echo shm-rw');
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['root-ro', 'shm-rw']);
  });

  t.test('root.readonly false leaves / writable', async (t) => {
    const r = runScript(t, tsrun, 'touch /newfile && echo root-rw', (c) => {
      c.root.readonly = false;
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), 'root-rw');
  });

  t.test('masked paths read empty; readonly paths refuse writes', async (t) => {
    const r = runScript(
      t,
      tsrun,
      'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-rw || echo sys-ro; grep -c " /proc/sys ro," /proc/self/mountinfo',
    );
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['0', '0', 'sys-ro', '1']);
  });

  t.test('mount options reach mountinfo (nosuid, nodev, noexec on /dev/shm)', async (t) => {
    const r = runScript(t, tsrun, 'grep " /dev/shm " /proc/self/mountinfo');
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /nosuid/);
    t.match(r.stdout, /nodev/);
    t.match(r.stdout, /noexec/);
  });

  t.test('a symlink in the image cannot send a mount outside the rootfs', async (t) => {
    // /escape -> an absolute host path. Resolved inside the rootfs it names
    // <rootfs><that path>, which is where the mount must land.
    const outside = t.testdir({});
    const r = runScript(t, tsrun, `grep -c " ${outside}/m " /proc/self/mountinfo`, (c, b) => {
      mkdirSync(join(b.rootfs, outside), { recursive: true });
      symlinkSync(outside, join(b.rootfs, 'escape'));
      c.mounts.push({ destination: '/escape/m', type: 'tmpfs', source: 'tmpfs', options: [] });
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), '1', 'mounted at the in-rootfs target');
    t.same(readdirSync(outside), [], 'nothing was created or mounted in the host directory');
  });

  t.test('tmpcopyup: the new tmpfs starts with the image content (podman --read-only)', async (t) => {
    let rootfs = '';
    const r = runScript(
      t,
      tsrun,
      'cat /seed/file /seed/sub/nested; readlink /seed/link; stat -c "%u %a" /seed/sub /seed/sub/nested; grep -c " /seed .* - tmpfs " /proc/self/mountinfo; echo new > /seed/new',
      (c, b) => {
        rootfs = b.rootfs;
        mkdirSync(join(b.rootfs, 'seed/sub'), { recursive: true });
        writeFileSync(join(b.rootfs, 'seed/file'), 'top\n');
        writeFileSync(join(b.rootfs, 'seed/sub/nested'), 'nested\n', { mode: 0o604 });
        chmodSync(join(b.rootfs, 'seed/sub'), 0o751);
        chmodSync(join(b.rootfs, 'seed/sub/nested'), 0o604);
        chownSync(join(b.rootfs, 'seed/sub'), 1000, 1000);
        chownSync(join(b.rootfs, 'seed/sub/nested'), 1000, 1000);
        symlinkSync('file', join(b.rootfs, 'seed/link'));
        c.mounts.push({ destination: '/seed', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup', 'mode=755'] });
      },
    );
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['top', 'nested', 'file', '1000 751', '1000 604', '1']);
    t.notOk(existsSync(join(rootfs, 'seed/new')), 'writes go to the tmpfs, not the image');
  });

  t.test('rro makes submounts read-only too; ro only the top', async (t) => {
    // A host directory with a tmpfs inside: rbind carries it into the container.
    const shared = mkdtempSync(join(tmpdir(), 'tsrun-rro-'));
    mkdirSync(join(shared, 'sub'));
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(shared, 'sub')]);
    t.teardown(() => {
      execFileSync('umount', ['-l', join(shared, 'sub')]);
      rmSync(shared, { recursive: true });
    });
    const script = 'touch /r/top 2>/dev/null || echo top-ro; touch /r/sub/x 2>/dev/null && echo sub-rw || echo sub-ro';
    let r = runScript(t, tsrun, script, (c) => c.mounts.push({ destination: '/r', type: 'bind', source: shared, options: ['rbind', 'rro'] }));
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['top-ro', 'sub-ro'], 'rro: read-only all the way down');
    r = runScript(t, tsrun, script, (c) => c.mounts.push({ destination: '/r', type: 'bind', source: shared, options: ['rbind', 'ro'] }));
    t.same(r.stdout.trim().split('\n'), ['top-ro', 'sub-rw'], 'ro: the top only');
  });

  t.test('mounts do not leak to the host', async (t) => {
    const before = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;
    runScript(t, tsrun, 'true');
    const after = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;
    t.equal(after, before);
  });
});
