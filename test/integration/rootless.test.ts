// Rootless: tsrun run by an unprivileged user (created here) with the config
// of `tsrun spec --rootless`. Everything is checked from the host, as root:
// the container's id maps and credentials in /proc, that no cgroup directory
// was made, and that the state root belongs to the user and nobody else.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle, type Bundle, type TestLike } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { TSRUN } from '../helpers/tsrun.ts';

const USER = 'tsrun-rl';

interface TestUser {
  name: string;
  uid: number;
  gid: number;
  subuid?: number;
  subgid?: number;
}

function lookup(name: string): TestUser | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  const sub = (file: string) => {
    const l = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .find((x) => x.startsWith(`${name}:`))
      : undefined;
    const start = Number(l?.split(':')[1]);
    return Number.isInteger(start) && start > 0 ? start : undefined;
  };
  const user: TestUser = { name, uid: Number(uid), gid: Number(gid) };
  const su = sub('/etc/subuid');
  const sg = sub('/etc/subgid');
  if (su) user.subuid = su;
  if (sg) user.subgid = sg;
  return user;
}

/** The test user, created (with subordinate id ranges) unless it exists; removed at teardown if created here. */
function testUser(t: TestLike): TestUser {
  const existing = lookup(USER);
  if (existing) return existing;
  execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  t.teardown(() => {
    execFileSync('userdel', [USER]);
  });
  const made = lookup(USER)!;
  if (!made.subuid || !made.subgid) {
    // useradd adds ranges only when SUB_UID_COUNT is set; make sure.
    execFileSync('usermod', ['--add-subuids', '300000-365535', '--add-subgids', '300000-365535', USER]);
  }
  return lookup(USER)!;
}

/** A directory of the user's: their $XDG_RUNTIME_DIR here. */
function userDir(t: TestLike, user: TestUser, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * tsrun as the user: real, effective and saved ids and groups of the user,
 * a clean environment (root's XDG_RUNTIME_DIR must not leak in). Output
 * through files, as a detached container keeps tsrun's stdio open.
 */
function asUser(user: TestUser, args: string[], env: Record<string, string> = {}, cwd?: string, enterCgroup?: string): Result {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-rl-out-'));
  const out = openSync(join(dir, 'out'), 'w+');
  const err = openSync(join(dir, 'err'), 'w+');
  try {
    const vars = Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/', USER: user.name, ...env }).map(([k, v]) => `${k}=${v}`);
    const command = ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', 'env', '-i', ...vars, TSRUN, ...args];
    // enterCgroup: a cgroup.procs the caller moves itself into first (as root, before setpriv).
    const [file, ...argv] = enterCgroup ? ['sh', '-c', 'echo $$ > "$0" && exec "$@"', enterCgroup, ...command] : command;
    const r = spawnSync(file!, argv, {
      stdio: ['ignore', out, err],
      timeout: 60_000,
      ...(cwd ? { cwd } : {}),
    });
    return { status: r.status, stdout: readFileSync(join(dir, 'out'), 'utf8'), stderr: readFileSync(join(dir, 'err'), 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The config of `tsrun spec --rootless` written by the user, on a busybox rootfs the user owns. */
function rootlessBundle(t: TestLike, user: TestUser, patch?: (c: any) => void): Bundle {
  const bundle = makeBundle(t);
  rmSync(join(bundle.dir, 'config.json'));
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, bundle.dir]);
  const r = asUser(user, ['spec', '--rootless', '--bundle', bundle.dir]);
  if (r.status !== 0) throw new Error(`spec --rootless: ${r.stderr}`);
  bundle.config = JSON.parse(readFileSync(join(bundle.dir, 'config.json'), 'utf8'));
  bundle.config.process.terminal = false;
  patch?.(bundle.config);
  bundle.write();
  return bundle;
}

/** Every cgroup directory a container named `id` would get by default (tsrun/<id>) in any hierarchy. */
function cgroupDirsOf(id: string): string[] {
  const found: string[] = [];
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = m.split(' ');
    const fstype = f[f.indexOf('-') + 1];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const dir = join(f[4]!, 'tsrun', id);
    if (existsSync(dir)) found.push(dir);
  }
  return found;
}

/** Mount points of the cgroup hierarchies tsrun uses: cgroup2 and each v1 controller's (named ones like name=systemd hold no limits). */
function cgroupMounts(): string[] {
  const found: string[] = [];
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = m.split(' ');
    const sep = f.indexOf('-');
    const fstype = f[sep + 1];
    if (fstype === 'cgroup2') found.push(f[4]!);
    if (fstype === 'cgroup' && !(f[sep + 3] ?? '').split(',').some((o) => o.startsWith('name='))) found.push(f[4]!);
  }
  return found;
}

function cgroup2Mount(): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((m) => m.split(' '))
    .find((f) => f[f.indexOf('-') + 1] === 'cgroup2')?.[4];
}

function statusField(pid: number, field: string): string {
  return (
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`))
      ?.slice(field.length + 1)
      .trim()
      .split(/\s+/)
      .join(' ') ?? ''
  );
}

/** The user's processes, once any just killed are reaped (their new parent reaps them a moment later); [] when none is left. */
async function pidsOfUid(uid: number): Promise<number[]> {
  let pids = livePidsOfUid(uid);
  for (let i = 0; i < 50 && pids.length > 0; i++) {
    await new Promise((res) => setTimeout(res, 100));
    pids = livePidsOfUid(uid);
  }
  return pids;
}

function livePidsOfUid(uid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return statSync(`/proc/${p}`).uid === uid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

t.test('rootless', skipUnlessRoot(), async (t) => {
  const user = testUser(t);
  const xdg = userDir(t, user, 'tsrun-rl-xdg-');
  const env = { XDG_RUNTIME_DIR: xdg };
  const root = join(xdg, 'tsrun');
  let counter = 0;
  const ids: string[] = [];
  const newId = () => {
    const id = `rl-${process.pid}-${++counter}`;
    ids.push(id);
    return id;
  };
  t.teardown(() => {
    for (const id of ids) asUser(user, ['delete', '--force', id], env);
  });

  t.test("spec --rootless: runc's rootless changes, mapping the caller", async (t) => {
    const dir = userDir(t, user, 'tsrun-rl-spec-');
    const r = asUser(user, ['spec', '--rootless'], {}, dir);
    t.equal(r.status, 0, r.stderr);
    const file = join(dir, 'config.json');
    t.equal(statSync(file).uid, user.uid, 'written by the user');
    const c = JSON.parse(readFileSync(file, 'utf8'));
    t.same(c.linux.uidMappings, [{ containerID: 0, hostID: user.uid, size: 1 }]);
    t.same(c.linux.gidMappings, [{ containerID: 0, hostID: user.gid, size: 1 }]);
    const types = c.linux.namespaces.map((n: any) => n.type);
    t.ok(types.includes('user') && !types.includes('network'), `namespaces ${types}`);
    t.equal(c.linux.resources, undefined, 'no cgroup settings');
    t.same(
      c.mounts.find((m: any) => m.destination === '/sys'),
      { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] },
    );
    t.notOk(JSON.stringify(c.mounts).match(/"(gid|uid)=/), 'no uid=/gid= mount options');
    // The mounts are runc's exactly, where runc is installed to say so.
    if (existsSync('/usr/sbin/runc')) {
      const runcDir = userDir(t, user, 'tsrun-rl-runc-');
      execFileSync('setpriv', [
        '--reuid',
        String(user.uid),
        '--regid',
        String(user.gid),
        '--init-groups',
        '/usr/sbin/runc',
        'spec',
        '--rootless',
        '--bundle',
        runcDir,
      ]);
      const runc = JSON.parse(readFileSync(join(runcDir, 'config.json'), 'utf8'));
      t.same(c.mounts, runc.mounts, 'mounts equal runc spec --rootless');
      t.same(c.linux.uidMappings, runc.linux.uidMappings);
    }
  });

  t.test('run in the foreground: root inside, the user outside', async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.process.args = ['sh', '-c', 'id -u; cat /proc/self/uid_map; exit 7'];
    });
    const r = asUser(user, ['run', '--bundle', bundle.dir, newId()], env);
    t.equal(r.status, 7, `exit status passed through: ${r.stderr}`);
    const [uid, map] = r.stdout.trim().split('\n');
    t.equal(uid, '0');
    t.same(map?.trim().split(/\s+/), ['0', String(user.uid), '1']);
  });

  t.test('create/start/state/list/ps/exec/kill/delete, seen from the host', async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.process.args = ['sleep', '1000'];
    });
    const id = newId();
    let r = asUser(user, ['create', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 0, r.stderr);
    r = asUser(user, ['state', id], env);
    t.equal(JSON.parse(r.stdout).status, 'created', r.stderr);
    r = asUser(user, ['start', id], env);
    t.equal(r.status, 0, r.stderr);
    const state = JSON.parse(asUser(user, ['state', id], env).stdout);
    t.equal(state.status, 'running');
    const pid = state.pid as number;

    t.same(readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/), ['0', String(user.uid), '1'], 'uid_map');
    t.same(readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().split(/\s+/), ['0', String(user.gid), '1'], 'gid_map');
    t.equal(readFileSync(`/proc/${pid}/setgroups`, 'utf8').trim(), 'deny', 'setgroups denied (a user may only write gid_map so)');
    t.equal(statusField(pid, 'Uid'), `${user.uid} ${user.uid} ${user.uid} ${user.uid}`, 'runs as the user on the host');
    t.equal(statusField(pid, 'Gid'), `${user.gid} ${user.gid} ${user.gid} ${user.gid}`);
    // CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE, held only in its own user namespace.
    t.equal(statusField(pid, 'CapEff'), '0000000020000420', "the config's capabilities");
    t.not(readlinkSync(`/proc/${pid}/ns/user`), readlinkSync('/proc/self/ns/user'), 'its own user namespace');
    t.same(cgroupDirsOf(id), [], 'no cgroup directory was made');
    t.equal(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'), "stays in the caller's cgroups");

    const rootStat = statSync(root);
    t.equal(rootStat.uid, user.uid, 'state root owned by the user');
    t.equal(rootStat.mode & 0o777, 0o700, 'state root private');
    t.equal(statSync(join(root, id, 'state.json')).uid, user.uid);

    r = asUser(user, ['list'], env);
    t.match(r.stdout, new RegExp(`${id}\\s+${pid}\\s+running\\s.*${USER}`), r.stderr);
    r = asUser(user, ['exec', id, 'sh', '-c', 'sleep 900 & echo $(id -u)'], env);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), '0');
    r = asUser(user, ['ps', id], env);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /sleep 1000/);
    t.match(r.stdout, /sleep 900/, "ps finds the exec'd process through the pid namespace");

    r = asUser(user, ['kill', '--all', id, 'KILL'], env);
    t.equal(r.status, 0, r.stderr);
    for (let i = 0; i < 100 && JSON.parse(asUser(user, ['state', id], env).stdout).status !== 'stopped'; i++) await new Promise((res) => setTimeout(res, 50));
    t.equal(JSON.parse(asUser(user, ['state', id], env).stdout).status, 'stopped');
    r = asUser(user, ['delete', id], env);
    t.equal(r.status, 0, r.stderr);
    t.notOk(existsSync(join(root, id)), 'state dir removed');
    t.same(await pidsOfUid(user.uid), [], 'no process of the user is left');
  });

  t.test('pause needs a cgroup: a clear error, the container untouched', async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.process.args = ['sleep', '1000'];
    });
    const id = newId();
    let r = asUser(user, ['run', '--detach', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 0, r.stderr);
    r = asUser(user, ['pause', id], env);
    t.not(r.status, 0);
    t.match(r.stderr, /pause needs a cgroup/);
    t.equal(JSON.parse(asUser(user, ['state', id], env).stdout).status, 'running');
    r = asUser(user, ['delete', '--force', id], env);
    t.equal(r.status, 0, r.stderr);
    t.same(await pidsOfUid(user.uid), []);
  });

  t.test('a resource limit without a writable cgroup: clear error, nothing left', async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.linux.resources = { memory: { limit: 64 * 1024 * 1024 } };
    });
    const id = newId();
    const r = asUser(user, ['run', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/linux\/resources\/memory\/limit: cannot apply a resource limit: running rootless without a delegated cgroup/);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.notOk(existsSync(join(root, id)), 'no state dir');
    t.same(cgroupDirsOf(id), []);
    t.same(await pidsOfUid(user.uid), []);
  });

  t.test("a delegated cgroup the user runs in: limits applied, pause works, only the container's dir removed", async (t) => {
    // What systemd's Delegate= gives a user session, by hand: a directory
    // of the user's in every hierarchy, and the caller inside the cgroup2 one.
    const layout = cgroupMounts();
    const parent = `tsrun-rl-${process.pid}`;
    const made: string[] = [];
    t.teardown(() => {
      for (const d of made.reverse()) {
        try {
          rmdirSync(d);
        } catch (err) {
          t.comment(`cleanup: ${String(err)}`);
        }
      }
    });
    for (const mount of layout) {
      const dir = join(mount, parent);
      mkdirSync(dir);
      made.push(dir);
      if (existsSync(join(dir, 'cpuset.cpus'))) {
        writeFileSync(join(dir, 'cpuset.cpus'), readFileSync(join(mount, 'cpuset.cpus')));
        writeFileSync(join(dir, 'cpuset.mems'), readFileSync(join(mount, 'cpuset.mems')));
      }
      execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
    }
    // The caller in a leaf of the subtree (a cgroup2 parent with processes could not enable controllers for its children).
    const v2 = cgroup2Mount();
    const callerCgroup = v2 ? join(v2, parent, 'caller') : undefined;
    if (callerCgroup) {
      mkdirSync(callerCgroup);
      made.push(callerCgroup);
      execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, callerCgroup]);
    }
    const id = newId();
    const bundle = rootlessBundle(t, user, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.cgroupsPath = `/${parent}/${id}`;
      c.linux.resources = { pids: { limit: 20 } };
    });
    // Outside the subtree: a cgroup2 move needs the common ancestor's cgroup.procs, so it is not usable.
    let r = asUser(user, ['run', '--detach', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/linux\/resources\/pids\/limit: cannot apply a resource limit: running rootless without a delegated cgroup/);
    r = asUser(user, ['run', '--detach', '--bundle', bundle.dir, id], env, undefined, callerCgroup && join(callerCgroup, 'cgroup.procs'));
    t.equal(r.status, 0, r.stderr);
    const pid = JSON.parse(asUser(user, ['state', id], env).stdout).pid as number;
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
    const pidsLine = lines.find((l) => /^\d+:pids:/.test(l)) ?? lines.find((l) => l.startsWith('0::'));
    t.equal(pidsLine?.split(':')[2], `/${parent}/${id}`, 'in the delegated cgroup');
    const pidsDir = layout.map((m) => join(m, parent, id)).find((d) => existsSync(join(d, 'pids.max')));
    t.equal(pidsDir && readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim(), '20', 'pids.max written');
    r = asUser(user, ['pause', id], env);
    t.equal(r.status, 0, r.stderr);
    t.equal(JSON.parse(asUser(user, ['state', id], env).stdout).status, 'paused');
    r = asUser(user, ['delete', '--force', id], env);
    t.equal(r.status, 0, r.stderr);
    t.same(
      layout.filter((m) => existsSync(join(m, parent, id))),
      [],
      "the container's cgroup dirs are gone",
    );
    t.same(
      layout.filter((m) => !existsSync(join(m, parent))),
      [],
      'the delegated parent stays',
    );
    t.same(await pidsOfUid(user.uid), []);
  });

  t.test('--rootless false: cgroup errors are not tolerated; bad values refused', async (t) => {
    const bundle = rootlessBundle(t, user);
    const id = newId();
    let r = asUser(user, ['--rootless', 'false', 'run', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 1);
    t.match(r.stderr, /cannot create cgroup .*EACCES/);
    t.notOk(existsSync(join(root, id)));
    r = asUser(user, ['--rootless', 'maybe', 'list'], env);
    t.equal(r.status, 1);
    t.match(r.stderr, /invalid value for --rootless: "maybe"/);
  });

  t.test('a config without a user namespace: named before anything is made', async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'user');
      delete c.linux.uidMappings;
      delete c.linux.gidMappings;
    });
    const id = newId();
    const r = asUser(user, ['run', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 1);
    t.match(r.stderr, new RegExp(`/linux/namespaces: tsrun runs as uid ${user.uid}, not root: the container needs a user namespace`));
    t.notOk(existsSync(join(root, id)));
  });

  const noHelper = !existsSync('/usr/bin/newuidmap')
    ? 'no newuidmap (package uidmap)'
    : !user.subuid || !user.subgid
      ? 'the user has no /etc/subuid or /etc/subgid range'
      : false;
  t.test('newuidmap/newgidmap for a map of subordinate ids', { skip: noHelper }, async (t) => {
    if (!user.subuid || !user.subgid) return;
    const bundle = rootlessBundle(t, user, (c) => {
      c.linux.uidMappings = [
        { containerID: 0, hostID: user.uid, size: 1 },
        { containerID: 1, hostID: user.subuid, size: 1000 },
      ];
      c.linux.gidMappings = [
        { containerID: 0, hostID: user.gid, size: 1 },
        { containerID: 1, hostID: user.subgid, size: 1000 },
      ];
      c.process.user = { uid: 100, gid: 100, additionalGids: [200] };
      c.process.args = ['sleep', '1000'];
    });
    const id = newId();
    let r = asUser(user, ['run', '--detach', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 0, r.stderr);
    const pid = JSON.parse(asUser(user, ['state', id], env).stdout).pid as number;
    t.same(
      readFileSync(`/proc/${pid}/uid_map`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
      [
        ['0', String(user.uid), '1'],
        ['1', String(user.subuid), '1000'],
      ],
    );
    const hostUid = user.subuid + 99;
    const hostGid = user.subgid + 99;
    t.equal(statusField(pid, 'Uid'), `${hostUid} ${hostUid} ${hostUid} ${hostUid}`, 'container uid 100 is a subordinate id on the host');
    t.equal(statusField(pid, 'Gid'), `${hostGid} ${hostGid} ${hostGid} ${hostGid}`);
    t.equal(statusField(pid, 'Groups'), String(user.subgid + 199), 'additionalGids: setgroups allowed through newgidmap');
    r = asUser(user, ['delete', '--force', id], env);
    t.equal(r.status, 0, r.stderr);
    t.notOk(existsSync(`/proc/${pid}`), 'gone after delete');
  });

  t.test('a map of ids the user does not own: newuidmap refuses, named', { skip: !existsSync('/usr/bin/newuidmap') && 'no newuidmap' }, async (t) => {
    const bundle = rootlessBundle(t, user, (c) => {
      c.linux.uidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
    });
    const id = newId();
    const r = asUser(user, ['run', '--bundle', bundle.dir, id], env);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/linux\/uidMappings: newuidmap \d+ 0 0 1 refused the mapping/);
    t.notOk(existsSync(join(root, id)));
    t.same(await pidsOfUid(user.uid), []);
  });

  t.test('the default root: $XDG_RUNTIME_DIR/tsrun, else /run/user/<uid>/tsrun', async (t) => {
    const runUser = `/run/user/${user.uid}`;
    const made = !existsSync(runUser);
    let r = asUser(user, ['list']);
    if (made) {
      // No login session made /run/user/<uid>: a clear error, nothing made.
      const bundle = rootlessBundle(t, user);
      r = asUser(user, ['run', '--bundle', bundle.dir, newId()]);
      t.equal(r.status, 1);
      t.match(r.stderr, new RegExp(`state root ${runUser}/tsrun: ${runUser} does not exist`));
      t.notOk(existsSync(runUser));
      mkdirSync(runUser, { mode: 0o700 });
      chownSync(runUser, user.uid, user.gid);
      t.teardown(() => rmSync(runUser, { recursive: true, force: true }));
    }
    const bundle = rootlessBundle(t, user, (c) => {
      c.process.args = ['true'];
    });
    r = asUser(user, ['run', '--bundle', bundle.dir, '--keep', newId()]);
    t.equal(r.status, 0, r.stderr);
    const st = statSync(`${runUser}/tsrun`);
    t.equal(st.uid, user.uid);
    r = asUser(user, ['list', '-q']);
    t.equal(r.stdout.trim(), ids.at(-1), 'list reads the same default root');
    r = asUser(user, ['delete', ids.at(-1)!]);
    t.equal(r.status, 0, r.stderr);
  });

  t.test('a state root of someone else, or writable by others, is refused', async (t) => {
    const bundle = rootlessBundle(t, user);
    const foreign = mkdtempSync(join(tmpdir(), 'tsrun-rl-foreign-'));
    chmodSync(foreign, 0o777);
    t.teardown(() => rmSync(foreign, { recursive: true, force: true }));
    const id = newId();
    let r = asUser(user, ['--root', foreign, 'run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, new RegExp(`state root ${foreign} belongs to uid 0, not to you \\(uid ${user.uid}\\)`));
    t.same(readdirSync(foreign), []);
    const open = userDir(t, user, 'tsrun-rl-open-');
    chmodSync(open, 0o777);
    r = asUser(user, ['--root', open, 'run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /is writable by others \(mode 777\)/);
    t.same(readdirSync(open), []);
  });
});
