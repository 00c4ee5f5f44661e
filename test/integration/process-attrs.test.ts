// process.ioPriority, process.scheduler, process.execCPUAffinity,
// linux.personality.flags and the session keyring, each read back from
// inside the container (/proc/self/*, busybox ionice); the LSM fields'
// error path (neither AppArmor nor SELinux runs on the test machines).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';
import { readHostLsm } from '../../src/host/lsm.ts';

/** Fields of /proc/<pid>/stat by their 1-based number in proc(5). */
function statFields(line: string): (n: number) => string {
  // comm (field 2) may hold spaces: count from the closing parenthesis.
  const rest = line
    .slice(line.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  return (n) => rest[n - 3]!;
}

t.test('process attributes', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('scheduler: SCHED_BATCH with a nice value, I/O priority idle, personality flags', async (t) => {
    const r = runScript(t, tsrun, 'cat /proc/self/stat; ionice; cat /proc/self/personality', (c) => {
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 7 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 };
      c.linux.personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE', 'SHORT_INODE'] };
    });
    t.equal(r.status, 0, r.stderr);
    const [stat, ionice, persona] = r.stdout.trim().split('\n');
    const f = statFields(stat!);
    t.equal(f(19), '7', 'nice');
    t.equal(f(41), '3', 'policy SCHED_BATCH');
    t.equal(ionice, 'idle');
    t.equal(persona, (0x0040000 | 0x1000000).toString(16).padStart(8, '0'));
  });

  t.test('scheduler: SCHED_FIFO with a priority; best-effort I/O level 3', async (t) => {
    const r = runScript(t, tsrun, 'cat /proc/self/stat; ionice', (c) => {
      c.process.scheduler = { policy: 'SCHED_FIFO', priority: 10 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 3 };
      // With real-time group scheduling (a cpu.rt_runtime_us file in the
      // v1 cpu hierarchy) a new cgroup has no real-time budget: ask for one,
      // as a runc user must too.
      if (existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us')) c.linux.resources.cpu = { realtimeRuntime: 10000, realtimePeriod: 1000000 };
    });
    t.equal(r.status, 0, r.stderr);
    const [stat, ionice] = r.stdout.trim().split('\n');
    const f = statFields(stat!);
    t.equal(f(40), '10', 'rt_priority');
    t.equal(f(41), '1', 'policy SCHED_FIFO');
    t.equal(ionice, 'best-effort: prio 3');
  });

  t.test('scheduler: SCHED_DEADLINE with runtime, deadline and period (chrt from the host)', async (t) => {
    // A deadline task cannot fork: the program is sleep itself.
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '60'];
      c.process.scheduler = { policy: 'SCHED_DEADLINE', runtime: 2_000_000, deadline: 20_000_000, period: 40_000_000 };
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '-d', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const chrt = execFileSync('chrt', ['-p', String(tsrun.state(id).pid)]).toString();
    t.match(chrt, /policy: SCHED_DEADLINE/);
    t.match(chrt, /runtime\/deadline\/period parameters: 2000000\/20000000\/40000000/);
  });

  t.test('a policy the kernel refuses fails create with the step and errno, leaving nothing', async (t) => {
    // SCHED_ISO is in the spec's enum but reserved in Linux.
    const bundle = makeBundle(t, (c) => (c.process.scheduler = { policy: 'SCHED_ISO' }));
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /process_attrs: sched_setattr policy 4 .*process\.scheduler.*EINVAL/);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('a bad scheduler is a validation error naming its pointer', async (t) => {
    const bundle = makeBundle(t, (c) => (c.process.scheduler = { policy: 'SCHED_OTHER', priority: 3 }));
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/process\/scheduler\/priority: a priority needs SCHED_FIFO or SCHED_RR/);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('execCPUAffinity: exec runs on the final CPUs, or stays on the initial ones', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['sleep', '60'];
      c.process.execCPUAffinity = { initial: '0', final: '1' };
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    // exec takes the container's process (config.json) as its base.
    const both = tsrun.run(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status']);
    t.equal(both.status, 0, both.stderr);
    t.equal(both.stdout.trim(), 'Cpus_allowed_list:\t1');
    const file = join(bundle.dir, 'process.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...bundle.config.process,
        args: ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status; cat /proc/self/stat; ionice'],
        execCPUAffinity: { initial: '0' },
        scheduler: { policy: 'SCHED_OTHER', nice: 5 },
        ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 6 },
      }),
    );
    const initial = tsrun.run(['exec', '--process', file, id]);
    t.equal(initial.status, 0, initial.stderr);
    const [cpus, stat, ionice] = initial.stdout.trim().split('\n');
    t.equal(cpus, 'Cpus_allowed_list:\t0');
    t.equal(statFields(stat!)(19), '5', 'exec: nice');
    t.equal(ionice, 'best-effort: prio 6', 'exec: I/O priority');
  });

  t.test('session keyring: "_ses.<id>" as runc names it, none with --no-new-keyring', async (t) => {
    const unmaskKeys = (c: any) => (c.linux.maskedPaths = c.linux.maskedPaths.filter((p: string) => p !== '/proc/keys'));
    const own = makeBundle(t, (c) => {
      unmaskKeys(c);
      c.process.args = ['grep', '-c', '_ses\\.', '/proc/keys'];
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '--bundle', own.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const named = makeBundle(t, (c) => {
      unmaskKeys(c);
      c.process.args = ['cat', '/proc/keys'];
    });
    const id2 = tsrun.id();
    const keys = tsrun.run(['run', '--bundle', named.dir, id2]);
    // Search permission for the possessor's uid is added (0x00080000).
    t.match(keys.stdout, new RegExp(`perm 3f1b0000 .* keyring +_ses\\.${id2.replace(/[.-]/g, '\\$&')}:`));
    const id3 = tsrun.id();
    const none = tsrun.run(['run', '--no-new-keyring', '--bundle', named.dir, id3]);
    t.equal(none.status, 0, none.stderr);
    t.notMatch(none.stdout, `_ses.${id3}:`, "no keyring of its own: the caller's session keyring is kept");
  });

  const lsm = readHostLsm();
  t.test('LSM fields name themselves when their LSM is not enabled', { skip: lsm.apparmor || lsm.selinux ? 'an LSM is enabled here' : false }, async (t) => {
    const cases: [string, (c: any) => void, RegExp][] = [
      ['apparmorProfile', (c) => (c.process.apparmorProfile = 'tsrun-test'), /\/process\/apparmorProfile: AppArmor is not enabled on this host/],
      ['selinuxLabel', (c) => (c.process.selinuxLabel = 'system_u:system_r:container_t:s0'), /\/process\/selinuxLabel: SELinux is not enabled on this host/],
      ['mountLabel', (c) => (c.linux.mountLabel = 'system_u:object_r:container_file_t:s0'), /\/linux\/mountLabel: SELinux is not enabled on this host/],
    ];
    for (const [name, patch, message] of cases) {
      const bundle = makeBundle(t, patch);
      const id = tsrun.id();
      const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
      t.equal(r.status, 1, name);
      t.match(r.stderr, message);
      t.notOk(tsrun.leftovers().includes(id), `${name}: nothing left`);
    }
    // exec checks its process the same way.
    const bundle = makeBundle(t, (c) => (c.process.args = ['sleep', '60']));
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const file = join(bundle.dir, 'process.json');
    writeFileSync(file, JSON.stringify({ ...bundle.config.process, args: ['true'], apparmorProfile: 'tsrun-test' }));
    const r = tsrun.run(['exec', '--process', file, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/process\/apparmorProfile: AppArmor is not enabled on this host/);
  });
});
