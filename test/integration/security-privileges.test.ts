// Privileges and devices (CVE-2022-29162, CVE-2022-27650 class; the exec
// fifo and state dir; mknod and host disks). Capability sets and
// no_new_privs are read from the host in /proc/<pid>/status, for the
// container process and for an exec'd one.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { waitFor } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const mask = (...bits: number[]) =>
  bits
    .reduce((m, b) => m | (1n << BigInt(b)), 0n)
    .toString(16)
    .padStart(16, '0');
const [CHOWN, KILL, NET_BIND_SERVICE, NET_RAW, AUDIT_WRITE] = [0, 5, 10, 13, 29];

t.test('privileges', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  /** Starts `sleep` in a container and an exec'd `sleep` beside it; returns both host pids. */
  function startWithExec(t: Test, patch: (c: any) => void): { id: string; pid: number; execPid: number } {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '100'];
      patch(c);
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.run(['start', id]).status, 0);
    const pidFile = join(bundle.dir, 'exec.pid');
    const r = tsrun.run(['exec', '-d', '--pid-file', pidFile, id, 'sleep', '100']);
    t.equal(r.status, 0, r.stderr);
    return { id, pid: tsrun.state(id).pid, execPid: Number(readFileSync(pidFile, 'utf8')) };
  }

  t.test('no inheritable or ambient capability unless configured (root)', async (t) => {
    const c = startWithExec(t, () => {});
    for (const pid of [c.pid, c.execPid]) {
      const s = status(pid);
      t.equal(s.CapInh, mask(), `pid ${pid}: CapInh empty`);
      t.equal(s.CapAmb, mask(), `pid ${pid}: CapAmb empty`);
      t.equal(s.CapBnd, mask(KILL, NET_BIND_SERVICE, AUDIT_WRITE), `pid ${pid}: CapBnd as configured`);
      t.equal(s.CapEff, mask(KILL, NET_BIND_SERVICE, AUDIT_WRITE), `pid ${pid}: CapEff as configured`);
      t.equal(s.NoNewPrivs, '1', `pid ${pid}: no_new_privs`);
    }
    t.equal(tsrun.run(['delete', '--force', c.id]).status, 0);
  });

  t.test('inheritable and ambient exactly as configured (non-root), kept by exec', async (t) => {
    const c = startWithExec(t, (cfg) => {
      cfg.process.user = { uid: 1000, gid: 1000 };
      cfg.process.capabilities = {
        bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW'],
        effective: ['CAP_KILL'],
        permitted: ['CAP_KILL', 'CAP_NET_RAW'],
        inheritable: ['CAP_NET_RAW'],
        ambient: ['CAP_NET_RAW'],
      };
    });
    for (const pid of [c.pid, c.execPid]) {
      const s = status(pid);
      t.equal(s.CapBnd, mask(CHOWN, KILL, NET_RAW), `pid ${pid}: CapBnd`);
      t.equal(s.CapInh, mask(NET_RAW), `pid ${pid}: CapInh`);
      t.equal(s.CapAmb, mask(NET_RAW), `pid ${pid}: CapAmb`);
      t.equal(s.CapPrm, mask(NET_RAW), `pid ${pid}: CapPrm is the ambient set after exec`);
      t.equal(s.NoNewPrivs, '1', `pid ${pid}: no_new_privs`);
      t.equal(s.Uid?.split('\t')[0], '1000', `pid ${pid}: uid 1000`);
    }
    t.equal(tsrun.run(['delete', '--force', c.id]).status, 0);
  });

  t.test('the exec fifo and the state dir are not reachable from inside', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.args = ['true']));
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    // The container is created: tsrun-init waits on the exec fifo. A process
    // exec'd beside it looks for the fifo and the state dir everywhere.
    const r = tsrun.run(['exec', id, 'sh', '-c', `ls -l /proc/*/fd/ 2>&1; ls -la ${tsrun.root} 2>&1; find / -name exec.fifo 2>/dev/null; echo done`]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /done\n$/);
    t.notMatch(r.stdout, /exec\.fifo/, 'the exec fifo is nowhere to be seen');
    t.notMatch(r.stdout, new RegExp(`${tsrun.root}/${id}`), 'the state dir is nowhere to be seen');
    t.match(r.stdout, new RegExp(`ls: ${tsrun.root}: No such file or directory`), 'the state root does not exist inside');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });

  // csrc/init/main.c sets PR_SET_DUMPABLE 0 first thing: until execve the
  // init holds the sync socket, the exec fifo and namespace fds of the
  // host side. Judged two ways while it waits on the fifo, each with its
  // control after execve (which makes the process dumpable again):
  // - from the host: a non-dumpable process's /proc/<pid> files belong to
  //   root (task_dump_owner), a dumpable one's to its euid, here the
  //   namespace's root mapped to host uid 100000;
  // - from inside: a process exec'd into the container with CAP_SYS_PTRACE
  //   in its user namespace (not the host's) may read a dumpable pid 1's
  //   /proc files, never a non-dumpable one's (ptrace_may_access).
  // (On this host, whose bounding set lacks CAP_SYS_RESOURCE, entering the
  // user namespace also clears dumpable; with a full bounding set only
  // the prctl does.)
  t.test('tsrun-init is non-dumpable until execve', async (t) => {
    const caps = ['CAP_KILL', 'CAP_SYS_PTRACE'];
    const bundle = makeBundle(t, (c, b) => {
      chmodSync(b.dir, 0o755);
      c.process.args = ['sleep', '1000'];
      c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    });
    const id = tsrun.id();
    const created = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(created.status, 0, created.stderr);
    const pid = tsrun.state(id).pid;
    const probe = `cat /proc/1/environ >/dev/null && echo read-environ; ls /proc/1/fd >/dev/null && echo listed-fds; readlink /proc/1/exe >/dev/null && echo read-exe; echo done`;

    t.match(status(pid).Name, /tsrun:\[init\]/, 'the init waits on the exec fifo');
    t.equal(status(pid).Uid?.split('\t')[1], '100000', 'as the namespace root (host uid 100000)');
    t.equal(statSync(`/proc/${pid}/environ`).uid, 0, 'its /proc files belong to root: non-dumpable');
    const before = tsrun.run(['exec', id, 'sh', '-c', probe]);
    t.equal(before.status, 0, before.stderr);
    t.equal(before.stdout, 'done\n', 'a process in the container cannot read its environ, fds or exe');

    t.equal(tsrun.run(['start', id]).status, 0);
    t.ok(await waitFor(() => status(pid).Name === 'sleep'), 'the container process exec()ed');
    t.equal(statSync(`/proc/${pid}/environ`).uid, 100000, 'control: after execve its /proc files are its own');
    const after = tsrun.run(['exec', id, 'sh', '-c', probe]);
    t.equal(after.stdout, 'read-environ\nlisted-fds\nread-exe\ndone\n', `control: the same probe reads the exec'd process: ${after.stderr}`);
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });
});

t.test('devices', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  // A disk of our own, a loop device over a file with a known first
  // sector, rather than the host's: on the development machines even the
  // host's root gets EPERM opening /dev/vda (`head -c 512 /dev/vda` as root,
  // outside any container, with devices.list "a *:* rwm"), which would make
  // the refusal below pass for the wrong reason and the control impossible.
  const image = join(mkdtempSync(join(tmpdir(), 'tsrun-disk-')), 'disk.img');
  writeFileSync(image, Buffer.concat([Buffer.from('tsrun-canary-sector\n'), Buffer.alloc(1024 * 1024)]));
  const loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
  t.teardown(() => {
    execFileSync('losetup', ['-d', loop]);
    rmSync(dirname(image), { recursive: true, force: true });
  });
  const [major, minor] = readFileSync(`/sys/class/block/${basename(loop)}/dev`, 'utf8')
    .trim()
    .split(':')
    .map(Number);
  t.equal(readFileSync(loop).subarray(0, 20).toString(), 'tsrun-canary-sector\n', `the host itself can read ${loop} (${major}:${minor})`);
  const caps = ['CAP_KILL', 'CAP_MKNOD', 'CAP_DAC_OVERRIDE'];

  // As runc and crun do, the default device rules let mknod ("m") make any
  // node: what protects the host is that nothing not allowed can be opened.
  t.test('no open of a host disk, nor of /dev/mem, even with CAP_MKNOD and CAP_DAC_OVERRIDE', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
      c.process.args = [
        'sh',
        '-c',
        `mknod /dev/disk b ${major} ${minor}; head -c 512 /dev/disk >/dev/null && echo read-disk; ` +
          `echo x >> /dev/disk && echo wrote-disk; mknod /dev/kmem c 1 1; head -c 1 /dev/kmem >/dev/null && echo read-mem; echo done`,
      ];
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'done\n', 'every open was refused');
    t.match(r.stderr, /head: \/dev\/disk: Operation not permitted/);
    t.match(r.stderr, /head: \/dev\/kmem: Operation not permitted/);
    t.equal(readFileSync(loop).subarray(0, 20).toString(), 'tsrun-canary-sector\n', 'the disk is unchanged');
  });

  t.test('allowed by the config, the same node can be read (the control)', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
      c.linux.resources.devices.push({ allow: true, type: 'b', major, minor, access: 'r' });
      c.process.args = ['sh', '-c', `mknod /dev/disk b ${major} ${minor}; head -c 20 /dev/disk; echo x >> /dev/disk || echo no-write; echo done`];
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'tsrun-canary-sector\nno-write\ndone\n', `read allowed ("r"), writing still refused (no "w"): ${r.stderr}`);
    t.equal(readFileSync(loop).subarray(0, 20).toString(), 'tsrun-canary-sector\n', 'the disk is unchanged');
  });
});
