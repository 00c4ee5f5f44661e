// cgroup v2 limits, proved in a pure cgroup v2 guest (the development hosts
// are hybrid). One guest boots for the whole file; each test runs one shell
// script in it that starts a container with the runtime under test, reads
// the container's cgroup files from the guest side, and prints key=value
// facts that the test asserts on.
//
// TSRUN_VM_RUNTIME picks the runtime (default: this tree's bin/tsrun, seen
// in the guest through the read-only 9p root); TSRUN_VM_RUNTIME=/usr/sbin/runc
// proves the tests themselves against runc.
import t, { type Test } from 'tap';
import { bootGuestFile, guestConfig as config, runScenario, RUNTIME } from './guest-file.ts';

const MiB = 1024 * 1024;

const { guest, opts } = await bootGuestFile(t, 'cgroup v2 guest tests');

/** Run SCRIPT in the guest; its facts, or undefined (and a failure) when the script reported `failed`. */
async function scenario(t: Test, id: string, cfg: any, script: string, timeoutSec = 120): Promise<Record<string, string> | undefined> {
  const { facts, result } = await runScenario(t, guest!, id, cfg, script, timeoutSec);
  if (facts.failed) {
    t.fail(`${facts.failed} failed: ${result.stderr.trim()}`);
    return undefined;
  }
  return facts;
}

t.test('memory.max: a process allocating past it is OOM-killed and `events` reports the oom', opts, async (t) => {
  const cfg = config('oom', ['tail', '/dev/zero'], (c) => {
    c.linux.resources.memory = { limit: 32 * MiB, swap: 32 * MiB };
  });
  const f = await scenario(
    t,
    'oom',
    cfg,
    `
rt create --bundle "$B" "$ID" || fail create
rt events "$ID" > /tmp/events.$ID 2>&1 &
events_pid=$!
sleep 1
rt start "$ID"
wait_for 60 status_is stopped && fact stopped yes
sleep 1
kill $events_pid 2> /dev/null
fact memory.max "$(cg memory.max)"
fact memory.swap.max "$(cg memory.swap.max)"
fact oom_kill "$(sed -n 's/^oom_kill //p' "$CGROUP/memory.events")"
fact events_oom "$(grep -c '"type": *"oom"' /tmp/events.$ID)"
`,
  );
  if (!f) return;
  t.equal(f['memory.max'], String(32 * MiB));
  t.equal(f['memory.swap.max'], '0', 'swap = limit + swap in the spec: nothing beyond the limit');
  t.equal(f.stopped, 'yes', 'the allocating process died');
  t.ok(Number(f.oom_kill) >= 1, `memory.events oom_kill ${f.oom_kill} ≥ 1`);
  t.ok(Number(f.events_oom) >= 1, `\`events\` printed ${f.events_oom} oom event(s)`);
});

t.test('memory.low, memory.high (unified) and memory.swap.max are written', opts, async (t) => {
  const cfg = config('memfiles', ['sleep', '1000'], (c) => {
    c.linux.resources.memory = { limit: 64 * MiB, reservation: 16 * MiB, swap: 96 * MiB };
    c.linux.resources.unified = { 'memory.high': String(48 * MiB) };
  });
  const f = await scenario(
    t,
    'memfiles',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
for file in memory.max memory.low memory.high memory.swap.max; do fact $file "$(cg $file)"; done
`,
  );
  if (!f) return;
  t.equal(f['memory.max'], String(64 * MiB));
  t.equal(f['memory.low'], String(16 * MiB), 'reservation → memory.low');
  t.equal(f['memory.high'], String(48 * MiB), 'unified memory.high written as given');
  t.equal(f['memory.swap.max'], String(32 * MiB), 'swap.max = spec swap − limit');
});

t.test('pids.max stops a fork bomb', opts, async (t) => {
  // ash gives up at the first refused fork, so the bomb runs in a subshell and the init then execs (no fork) to stay alive.
  const cfg = config('pids', ['sh', '-c', '(for i in $(seq 40); do sleep 1000 & done); exec sleep 1000'], (c) => {
    c.linux.resources.pids = { limit: 10 };
  });
  const f = await scenario(
    t,
    'pids',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
hit_max() { [ "$(sed -n 's/^max //p' "$CGROUP/pids.events")" -gt 0 ] 2> /dev/null; }
wait_for 30 hit_max
sleep 1
fact pids.max "$(cg pids.max)"
fact pids.current "$(cg pids.current)"
fact max_events "$(sed -n 's/^max //p' "$CGROUP/pids.events")"
`,
  );
  if (!f) return;
  t.equal(f['pids.max'], '10');
  t.ok(Number(f['pids.current']) <= 10 && Number(f['pids.current']) >= 1, `pids.current ${f['pids.current']} ≤ 10`);
  t.ok(Number(f.max_events) >= 1, `pids.events max ${f.max_events}: forks were refused`);
});

t.test('cpu.max throttles a busy loop; shares → cpu.weight', opts, async (t) => {
  const cfg = config('cpu', ['sh', '-c', 'while :; do :; done'], (c) => {
    c.linux.resources.cpu = { quota: 10000, period: 100000, shares: 512 };
  });
  const f = await scenario(
    t,
    'cpu',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
sleep 3
fact cpu.max "$(cg cpu.max)"
fact cpu.weight "$(cg cpu.weight)"
fact nr_throttled "$(sed -n 's/^nr_throttled //p' "$CGROUP/cpu.stat")"
`,
  );
  if (!f) return;
  t.equal(f['cpu.max'], '10000 100000');
  // runc's conversion (libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value): 1 + ((512 − 2) × 9999) / 262142 = 20
  t.equal(f['cpu.weight'], '20');
  t.ok(Number(f.nr_throttled) >= 1, `cpu.stat nr_throttled ${f.nr_throttled} ≥ 1`);
});

t.test('cpu.max.burst and cpu.idle are written', opts, async (t) => {
  const cfg = config('cpuburst', ['sleep', '1000'], (c) => {
    c.linux.resources.cpu = { quota: 20000, period: 100000, burst: 10000, idle: 1 };
  });
  const f = await scenario(
    t,
    'cpuburst',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
fact cpu.max "$(cg cpu.max)"
fact cpu.max.burst "$(cg cpu.max.burst)"
fact cpu.idle "$(cg cpu.idle)"
`,
  );
  if (!f) return;
  t.equal(f['cpu.max'], '20000 100000');
  t.equal(f['cpu.max.burst'], '10000', 'burst in microseconds, as given');
  t.equal(f['cpu.idle'], '1', 'the cgroup is SCHED_IDLE');
});

t.test('cpuset pins the container to cpu 1', opts, async (t) => {
  const cfg = config('cpuset', ['sleep', '1000'], (c) => {
    c.linux.resources.cpu = { cpus: '1', mems: '0' };
  });
  const f = await scenario(
    t,
    'cpuset',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
fact cpuset.cpus "$(cg cpuset.cpus)"
fact cpuset.mems "$(cg cpuset.mems)"
fact cpuset.cpus.effective "$(cg cpuset.cpus.effective)"
fact allowed "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$(init_pid)/status)"
`,
  );
  if (!f) return;
  t.equal(f['cpuset.cpus'], '1');
  t.equal(f['cpuset.mems'], '0');
  t.equal(f['cpuset.cpus.effective'], '1');
  t.equal(f.allowed, '1', 'the init process may run on cpu 1 only');
});

t.test('io.max throttles reads of a virtio disk', opts, async (t) => {
  // /dev/vda is the guest's 64 MiB null-co disk; its numbers are read in the guest before the config is made.
  const probe = await guest!.run('cat /sys/block/vda/dev');
  const [major, minor] = probe.stdout.trim().split(':').map(Number);
  t.ok(Number.isInteger(major) && Number.isInteger(minor), `/dev/vda is ${major}:${minor}`);
  const cfg = config(
    'io',
    [
      'sh',
      '-c',
      'a=$(cut -d" " -f1 /proc/uptime); dd if=/dev/vda of=/dev/null bs=1M count=4 iflag=direct 2>/dev/null; b=$(cut -d" " -f1 /proc/uptime); echo "read_start=$a"; echo "read_end=$b"',
    ],
    (c) => {
      c.linux.devices = [{ path: '/dev/vda', type: 'b', major, minor, fileMode: 0o660 }];
      c.linux.resources.devices.push({ allow: true, type: 'b', major, minor, access: 'r' });
      c.linux.resources.blockIO = {
        throttleReadBpsDevice: [{ major, minor, rate: MiB }],
        throttleWriteIOPSDevice: [{ major, minor, rate: 100 }],
      };
    },
  );
  const f = await scenario(
    t,
    'io',
    cfg,
    `
rt create --bundle "$B" "$ID" || fail create
fact io.max "$(cg io.max)"
rt start "$ID"
wait_for 60 status_is stopped
fact rbytes "$(sed -n "s/^$(cat /sys/block/vda/dev) .*rbytes=\\([0-9]*\\).*/\\1/p" "$CGROUP/io.stat")"
`,
  );
  if (!f) return;
  t.equal(f['io.max'], `${major}:${minor} rbps=${MiB} wbps=max riops=max wiops=100`);
  t.equal(f.rbytes, String(4 * MiB), 'io.stat counted the 4 MiB read');
  const seconds = Number(f.read_end) - Number(f.read_start);
  // 4 MiB at 1 MiB/s: at least 3 s even if the first second's budget is granted at once; unthrottled it is a few ms.
  t.ok(seconds >= 2.9, `reading 4 MiB took ${seconds.toFixed(2)} s`);
});

t.test('hugetlb.2MB.max refuses a second huge page', opts, async (t) => {
  const cfg = config(
    'hugetlb',
    ['sh', '-c', 'fallocate -l 2097152 /hugepages/a && echo first=ok; fallocate -l 2097152 /hugepages/b && echo second=ok || echo second=refused'],
    (c) => {
      c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 2 * MiB }];
      c.mounts.push({ destination: '/hugepages', type: 'hugetlbfs', source: 'hugetlbfs', options: ['pagesize=2M'] });
    },
  );
  const f = await scenario(
    t,
    'hugetlb',
    cfg,
    `
rt create --bundle "$B" "$ID" || fail create
fact hugetlb.2MB.max "$(cg hugetlb.2MB.max)"
rt start "$ID"
wait_for 60 status_is stopped
fact max_events "$(sed -n 's/^max //p' "$CGROUP/hugetlb.2MB.events")"
`,
  );
  if (!f) return;
  t.equal(f['hugetlb.2MB.max'], String(2 * MiB));
  t.equal(f.first, 'ok', 'one huge page fits');
  t.equal(f.second, 'refused', 'the second is over the limit');
  t.ok(Number(f.max_events) >= 1, `hugetlb.2MB.events max ${f.max_events}`);
});

t.test('a device the eBPF filter denies fails with EPERM while /dev/null works', opts, async (t) => {
  const cfg = config(
    'devices',
    ['sh', '-c', 'echo x > /dev/null && echo null=ok; head -c 1 /dev/kmsg > /dev/null 2> /tmp/err; echo kmsg_status=$?; echo "kmsg_error=$(cat /tmp/err)"'],
    (c) => {
      c.root.readonly = false;
      // The node exists in the container, but no resources.devices rule allows c 1:11.
      c.linux.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644 }];
    },
  );
  const f = await scenario(
    t,
    'devices',
    cfg,
    `
rt run --bundle "$B" "$ID"
`,
  );
  if (!f) return;
  t.equal(f.null, 'ok', '/dev/null is allowed by default');
  t.not(f.kmsg_status, '0', 'opening /dev/kmsg failed');
  t.match(f.kmsg_error, /Operation not permitted/, 'with EPERM');
});

t.test('pause and resume freeze and thaw the cgroup', opts, async (t) => {
  const cfg = config('pause', ['sleep', '1000']);
  const f = await scenario(
    t,
    'pause',
    cfg,
    `
frozen() { sed -n 's/^frozen //p' "$CGROUP/cgroup.events"; }
rt run -d --bundle "$B" "$ID" || fail run
rt pause "$ID" || fail pause
fact paused_freeze "$(cg cgroup.freeze)"
fact paused_frozen "$(frozen)"
status_is paused && fact paused_status paused
fact paused_proc_state "$(sed -n 's/^State:[[:space:]]*\\(.\\).*/\\1/p' /proc/$(init_pid)/status)"
rt resume "$ID" || fail resume
fact resumed_freeze "$(cg cgroup.freeze)"
fact resumed_frozen "$(frozen)"
status_is running && fact resumed_status running
`,
  );
  if (!f) return;
  t.equal(f.paused_freeze, '1');
  t.equal(f.paused_frozen, '1', 'cgroup.events says frozen');
  t.equal(f.paused_status, 'paused', 'state reports paused');
  t.equal(f.resumed_freeze, '0');
  t.equal(f.resumed_frozen, '0');
  t.equal(f.resumed_status, 'running');
});

t.test('update raises a memory limit live', opts, async (t) => {
  const cfg = config('update', ['sleep', '1000'], (c) => {
    c.linux.resources.memory = { limit: 32 * MiB };
  });
  const f = await scenario(
    t,
    'update',
    cfg,
    `
rt run -d --bundle "$B" "$ID" || fail run
fact before "$(cg memory.max)"
rt update --memory ${96 * MiB} "$ID" || fail update
fact after "$(cg memory.max)"
# 40 MiB of tmpfs, charged to the container: over the old limit, under the new one.
rt exec "$ID" sh -c 'head -c ${40 * MiB} /dev/zero > /dev/shm/fill && echo fill=ok'
fact oom_kill "$(sed -n 's/^oom_kill //p' "$CGROUP/memory.events")"
`,
  );
  if (!f) return;
  t.equal(f.before, String(32 * MiB));
  t.equal(f.after, String(96 * MiB), 'memory.max raised');
  t.equal(f.fill, 'ok', '40 MiB fits after the update');
  t.equal(f.oom_kill, '0');
});

t.test('kill --all reaches every process of a container without a pid namespace', opts, async (t) => {
  const cfg = config('killall', ['sh', '-c', 'sleep 1001 & sleep 1002 & wait'], (c) => {
    c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'pid');
  });
  const f = await scenario(
    t,
    'killall',
    cfg,
    `
procs() { wc -l < "$CGROUP/cgroup.procs"; }
three() { [ "$(procs)" -ge 3 ]; }
empty() { [ "$(procs)" -eq 0 ]; }
rt run -d --bundle "$B" "$ID" || fail run
wait_for 30 three
fact before "$(procs)"
rt kill --all "$ID" KILL || fail "kill --all"
wait_for 10 empty
fact after "$(procs)"
n=0
for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2> /dev/null | grep -q '^sleep 100[12]' && n=$((n + 1)); done
fact sleepers $n
wait_for 10 status_is stopped
rt delete "$ID" && fact delete ok
[ -e "$CGROUP" ] && fact cgroup_left yes
`,
  );
  if (!f) return;
  t.equal(f.before, '3', 'sh and two sleeps in the cgroup');
  t.equal(f.after, '0', 'cgroup.procs is empty');
  t.equal(f.sleepers, '0', 'no sleep left anywhere in the guest');
  t.equal(f.delete, 'ok');
  t.equal(f.cgroup_left, undefined, 'delete removed the cgroup');
});

/** /dev/vda's major and minor, read in the guest. */
async function vda(t: Test): Promise<{ major: number; minor: number }> {
  const probe = await guest!.run('cat /sys/block/vda/dev');
  const [major, minor] = probe.stdout.trim().split(':').map(Number);
  t.ok(Number.isInteger(major) && Number.isInteger(minor), `/dev/vda is ${major}:${minor}`);
  return { major: major!, minor: minor! };
}

// The three weight tests run in this order: bfq, once loaded, adds
// io.bfq.weight to every cgroup for the rest of the boot.
t.test('a weightDevice for a disk without iocost is refused, naming the field and io.weight, leaving nothing', opts, async (t) => {
  const { major, minor } = await vda(t);
  const cfg = config('iorefused', ['sleep', '1000'], (c) => {
    c.linux.resources.blockIO = { weightDevice: [{ major, minor, weight: 200 }] };
  });
  const f = await scenario(
    t,
    'iorefused',
    cfg,
    `
fact bfq "$([ -e /sys/fs/cgroup/tsrun-vm/io.bfq.weight ] && echo loaded || echo absent)"
rt create --bundle "$B" "$ID" > /tmp/out.$ID 2> /tmp/err.$ID
fact status $?
fact error "$(cat /tmp/err.$ID)"
[ -e "$CGROUP" ] && fact cgroup_left yes
rt state "$ID" > /dev/null 2>&1 && fact state_left yes
`,
  );
  if (!f) return;
  t.equal(f.bfq, 'absent', 'bfq is not loaded yet');
  t.not(f.status, '0', 'create failed');
  t.match(
    f.error,
    new RegExp(`/linux/resources/blockIO/weightDevice/0/weight: the kernel refused "${major}:${minor} 1920" in /sys/fs/cgroup/tsrun-vm/iorefused/io.weight`),
    'the field, the value and the file',
  );
  t.match(f.error, /io\.cost\.qos/, 'and what the device lacks');
  t.equal(f.cgroup_left, undefined, 'no cgroup left');
  t.equal(f.state_left, undefined, 'no container left');
});

t.test('blockIO weight and weightDevice → io.weight (iocost), converted as runc does', opts, async (t) => {
  const { major, minor } = await vda(t);
  const cfg = config('ioweight', ['sleep', '1000'], (c) => {
    c.linux.resources.blockIO = { weight: 500, weightDevice: [{ major, minor, weight: 200 }] };
  });
  const f = await scenario(
    t,
    'ioweight',
    cfg,
    `
# The host's part: put /dev/vda under the iocost controller.
echo "$(cat /sys/block/vda/dev) enable=1" > /sys/fs/cgroup/io.cost.qos || fail "enable iocost on vda"
rt run -d --bundle "$B" "$ID" || fail run
fact io.weight "$(cg io.weight)"
fact io.bfq.weight "$(cg io.bfq.weight)"
`,
  );
  if (!f) return;
  // runc ConvertBlkIOToCgroupV2Value: 1 + (500 − 10) × 9999 / 990 = 4950; 1 + (200 − 10) × 9999 / 990 = 1920
  t.equal(f['io.weight'], `default 4950 ${major}:${minor} 1920`);
  t.equal(f['io.bfq.weight'], 'absent', 'no bfq in this kernel yet');
});

t.test('with bfq loaded: blockIO weight and weightDevice → io.bfq.weight, unconverted', opts, async (t) => {
  const { major, minor } = await vda(t);
  const cfg = config('iobfq', ['sleep', '1000'], (c) => {
    c.linux.resources.blockIO = { weight: 300, weightDevice: [{ major, minor, weight: 700 }] };
  });
  const f = await scenario(
    t,
    'iobfq',
    cfg,
    `
grep -q '^bfq ' /proc/modules || insmod '${guest?.modulesDir}/bfq.ko' || fail "insmod bfq"
echo bfq > /sys/block/vda/queue/scheduler || fail "bfq as vda's scheduler"
fact scheduler "$(cat /sys/block/vda/queue/scheduler)"
rt run -d --bundle "$B" "$ID" || fail run
fact io.bfq.weight "$(cg io.bfq.weight)"
fact io.weight "$(cg io.weight)"
`,
  );
  if (!f) return;
  t.match(f.scheduler, /\[bfq\]/);
  t.equal(f['io.bfq.weight'], `default 300 ${major}:${minor} 700`, 'BFQ takes blkio weights 1..1000 as they are');
  t.equal(f['io.weight'], 'default 100', 'io.weight left at its default');
});

t.test('hugetlb.2MB.rsvd.max: a reservation past it is refused although hugetlb.2MB.max allows the page', opts, async (t) => {
  // hugepageLimits writes both hugetlb.2MB.max and .rsvd.max; unified then raises .max alone, so only the reservation limit can refuse the second page.
  const cfg = config(
    'hugersvd',
    ['sh', '-c', 'fallocate -l 2097152 /hugepages/a && echo first=ok; fallocate -l 2097152 /hugepages/b && echo second=ok || echo second=refused'],
    (c) => {
      c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 2 * MiB }];
      c.linux.resources.unified = { 'hugetlb.2MB.max': String(4 * MiB) };
      c.mounts.push({ destination: '/hugepages', type: 'hugetlbfs', source: 'hugetlbfs', options: ['pagesize=2M'] });
    },
  );
  const f = await scenario(
    t,
    'hugersvd',
    cfg,
    `
fact controllers "$(cat /sys/fs/cgroup/cgroup.controllers)"
[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 4 ] || echo 8 > /proc/sys/vm/nr_hugepages
fact free_pages "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)"
rt create --bundle "$B" "$ID" || fail create
fact hugetlb.2MB.max "$(cg hugetlb.2MB.max)"
fact hugetlb.2MB.rsvd.max "$(cg hugetlb.2MB.rsvd.max)"
rt start "$ID"
wait_for 60 status_is stopped
fact max_events "$(sed -n 's/^max //p' "$CGROUP/hugetlb.2MB.events")"
`,
  );
  if (!f) return;
  t.match(f.controllers, /\bhugetlb\b/, 'the guest has the hugetlb controller');
  t.ok(Number(f.free_pages) >= 2, `${f.free_pages} free 2 MB pages`);
  t.equal(f['hugetlb.2MB.rsvd.max'], String(2 * MiB), 'the reservation limit is the hugepageLimits limit');
  t.equal(f['hugetlb.2MB.max'], String(4 * MiB), 'unified raised the fault limit');
  t.equal(f.first, 'ok', 'one huge page fits');
  t.equal(f.second, 'refused', 'the second is over the reservation limit');
  // The kernel counts a refused reservation in hugetlb.2MB.events "max" too.
  t.ok(Number(f.max_events) >= 1, `hugetlb.2MB.events max ${f.max_events}`);
});

// The race runs 20 pairs on the host (test/integration/cgroup-shared-parent.test.ts);
// here, where no other runtime shares the parent, 5 pairs (each node start
// costs seconds under TCG) and a strict "nothing but /tsrun itself left".
t.test('the default parent /tsrun is made once and kept; 5 creates racing 5 deletes never fail', opts, async (t) => {
  const cfg = config('shared', ['sleep', '1000'], (c) => {
    delete c.linux.cgroupsPath; // the default: /sys/fs/cgroup/tsrun/<id>
  });
  const f = await scenario(
    t,
    'shared',
    cfg,
    `
P=/sys/fs/cgroup/tsrun
trap 'for x in $(rt list -q); do rt delete -f $x > /dev/null 2>&1; done; rm -rf "$B"' EXIT
present() { [ -d $P ] && echo "present $(find $P -mindepth 1 -maxdepth 1 -type d | wc -l)" || echo absent; }
mk() { rt create --bundle "$B" "$1" > /tmp/out.$1 2>&1; }
fact before "$(present)"
mk a1 || fail "create a1"
mk a2 || fail "create a2"
fact in_default "$([ -d $P/a1 ] && [ -d $P/a2 ] && echo yes)"
ino=$(stat -c %i $P)
rt delete -f a1 || fail "delete a1"
fact a_after_first "$(present)"
rt delete -f a2 || fail "delete a2"
fact a_after_second "$(present)"
mk b1 || fail "create b1"
mk b2 || fail "create b2"
rt delete -f b2 || fail "delete b2"
fact b_after_first "$(present)"
rt delete -f b1 || fail "delete b1"
fact b_after_second "$(present)"
fails=0
mk r0 || fails=$((fails + 1))
i=1
while [ $i -le 5 ]; do
  mk r$i & c=$!
  rt delete -f r$((i - 1)) > /tmp/del.$i 2>&1 & d=$!
  wait $c || { fails=$((fails + 1)); echo "create r$i: $(cat /tmp/out.r$i)" >&2; }
  wait $d || { fails=$((fails + 1)); echo "delete r$((i - 1)): $(cat /tmp/del.$i)" >&2; }
  i=$((i + 1))
done
rt delete -f r5 || fails=$((fails + 1))
fact race_failures $fails
fact after_race "$(present)"
fact same_dir "$([ "$(stat -c %i $P)" = "$ino" ] && echo yes)"
fact left "$(rt list -q | tr '\\n' ' ')"
`,
    300,
  );
  if (!f) return;
  t.equal(f.before, 'absent', 'no /tsrun before');
  t.equal(f.in_default, 'yes', 'both containers under /tsrun');
  t.equal(f.a_after_first, 'present 1', 'a2 alone in it');
  t.equal(f.a_after_second, 'present 0', 'the last delete (first made, first deleted) leaves it, empty');
  t.equal(f.b_after_first, 'present 1', 'b1 alone in it');
  t.equal(f.b_after_second, 'present 0', 'the last delete (first made, last deleted) leaves it, empty');
  t.equal(f.race_failures, '0', 'every create and delete of the race succeeded');
  t.equal(f.after_race, 'present 0', 'no container cgroup after the race');
  t.equal(f.same_dir, 'yes', 'one /tsrun all along: made once, never removed');
  t.equal(f.left, '', 'no container left');
});

t.test('v1 net_cls and net_prio mounted beside cgroup v2: classID and priorities written there, memory on v2', opts, async (t) => {
  const cfg = config('netcls', ['sleep', '1000'], (c) => {
    c.linux.resources.network = { classID: 0x100001, priorities: [{ name: 'lo', priority: 5 }] };
    c.linux.resources.memory = { limit: 64 * MiB };
  });
  const f = await scenario(
    t,
    'netcls',
    cfg,
    `
V1=/run/v1-net
N=$V1/tsrun-vm/$ID
mkdir -p $V1
# A v1 hierarchy beside cgroup v2 makes this a hybrid host for tsrun until it is unmounted again.
mount -t cgroup -o net_cls,net_prio cgroup $V1 || fail "mount v1 net_cls,net_prio"
trap 'cleanup; rmdir $V1/tsrun-vm 2> /dev/null; umount $V1' EXIT
rt run -d --bundle "$B" "$ID" || fail run
pid=$(init_pid)
fact classid "$(cat $N/net_cls.classid)"
fact ifpriomap_lo "$(sed -n 's/^lo //p' $N/net_prio.ifpriomap)"
fact in_v1 "$(grep -cx "$pid" $N/cgroup.procs)"
fact proc_cgroup "$(grep net_cls /proc/$pid/cgroup)"
fact memory.max "$(cg memory.max)"
rt delete -f "$ID" || fail delete
[ -e $N ] && fact v1_left yes
[ -e "$CGROUP" ] && fact v2_left yes
`,
  );
  if (!f) return;
  t.equal(f.classid, String(0x100001), 'net_cls.classid (1048577 = 0x100001)');
  t.equal(f.ifpriomap_lo, '5', 'net_prio.ifpriomap: lo 5');
  t.equal(f.in_v1, '1', 'the init is in the v1 net_cls,net_prio cgroup');
  t.match(f.proc_cgroup, /:net_cls,net_prio:\/tsrun-vm\/netcls$/, '/proc/PID/cgroup agrees');
  t.equal(f['memory.max'], String(64 * MiB), 'the memory limit still went to cgroup v2');
  t.equal(f.v1_left, undefined, 'delete removed the v1 directory');
  t.equal(f.v2_left, undefined, 'and the v2 one');
});

t.test('nothing left behind: no container, cgroup or state', opts, async (t) => {
  const r = await guest!.run(`
R='${RUNTIME}'
"$R" --root /run/tsrun-vm-state list 2>&1
find /sys/fs/cgroup/tsrun-vm /sys/fs/cgroup/tsrun -mindepth 1 -type d 2> /dev/null
`);
  t.equal(
    r.stdout
      .trim()
      .split('\n')
      .filter((l) => l && !/^ID\s/.test(l))
      .join('\n'),
    '',
    'no container listed, no cgroup below /tsrun-vm or /tsrun (the default parent itself stays)',
  );
});
