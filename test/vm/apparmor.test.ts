// process.apparmorProfile for real: the development hosts run no AppArmor,
// so a guest boots with `apparmor=1 security=apparmor`, loads a small
// profile with the host's apparmor_parser (Debian package apparmor, seen
// through the guest's 9p root), and runs containers under it. From the
// guest side: /proc/<pid>/attr/current names the profile; from inside: the
// write the profile denies fails while others succeed.
//
// TSRUN_VM_RUNTIME=/usr/sbin/runc runs the same scenarios against runc.
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { baseConfig } from '../helpers/bundle.ts';
import { Guest, GuestUnavailable, type GuestResult } from './guest.ts';

const RUNTIME = process.env.TSRUN_VM_RUNTIME ?? resolve(import.meta.dirname, '../../bin/tsrun');
const LIB = readFileSync(resolve(import.meta.dirname, 'container-lib.sh'), 'utf8');
const PARSER = '/sbin/apparmor_parser';
const PROFILE = 'tsrun-test-deny-tmp';

// Everything allowed (the rules a bare `file,` etc. grant), except writes
// under /tmp (audit: deny rules are silent otherwise; the test reads the
// kernel log for the denial). attach_disconnected: the container's paths are resolved
// after pivot_root, outside the guest's own root.
const PROFILE_TEXT = `profile ${PROFILE} flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  audit deny /tmp/** w,
}
`;

const fileStarted = Date.now();
let guest: Guest | undefined;
let skip: string | false = false;
if (process.getuid?.() !== 0) {
  skip = 'needs root: the guest image is cached under /var/cache/tsrun-vm';
} else if (!existsSync(PARSER)) {
  skip = `no ${PARSER} on the host (apt package apparmor)`;
} else {
  try {
    guest = await Guest.boot({ append: 'apparmor=1 security=apparmor' });
    t.comment(`guest booted in ${guest.bootMs} ms (${guest.accel}); runtime ${RUNTIME}`);
  } catch (err) {
    if (!(err instanceof GuestUnavailable)) throw err;
    skip = `no guest: ${err.message}`;
  }
}
if (skip) {
  process.stderr.write(`\n${'!'.repeat(72)}\n!! AppArmor guest tests SKIPPED: ${skip}\n${'!'.repeat(72)}\n\n`);
}
t.teardown(async () => {
  await guest?.close();
  t.comment(`guest file total ${Date.now() - fileStarted} ms`);
});

function config(id: string, args: string[], patch?: (c: any) => void): any {
  const c = baseConfig();
  c.process.args = args;
  c.root.readonly = false;
  c.linux.cgroupsPath = `/tsrun-vm/${id}`;
  c.mounts = c.mounts.filter((m: any) => m.destination !== '/sys/fs/cgroup');
  patch?.(c);
  return c;
}

async function scenario(t: Test, id: string, cfg: any, script: string): Promise<Record<string, string>> {
  const full = [`R='${RUNTIME}'`, `ID='${id}'`, LIB, `bundle <<'TSRUN_VM_CONFIG'\n${JSON.stringify(cfg)}\nTSRUN_VM_CONFIG`, script].join('\n');
  const r: GuestResult = await guest!.run(full, { timeoutSec: 300 });
  t.comment(`${id}: ${r.ms} ms in the guest; stdout:\n${r.stdout}stderr:\n${r.stderr}`);
  const facts: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([a-z][\w.]*)=(.*)$/.exec(line);
    if (m) facts[m[1]!] = m[2]!;
  }
  return facts;
}

const opts = skip ? { skip } : {};

t.test('the guest runs AppArmor and loads the test profile', opts, async (t) => {
  const r = await guest!.run(
    `
[ -d /sys/kernel/security/apparmor ] || mount -t securityfs securityfs /sys/kernel/security
echo "enabled=$(cat /sys/module/apparmor/parameters/enabled)"
echo "lsm=$(cat /sys/kernel/security/lsm)"
cat > /tmp/${PROFILE}.profile <<'EOF'
${PROFILE_TEXT}EOF
${PARSER} --replace --skip-cache /tmp/${PROFILE}.profile && echo loaded=yes
echo "profiles=$(tr '\\n' ';' < /sys/kernel/security/apparmor/profiles)"
echo "features=$('${RUNTIME}' features | tr -d ' \\n' | sed -n 's/.*"apparmor":{"enabled":\\([a-z]*\\)}.*/\\1/p')"
`,
    { timeoutSec: 300 },
  );
  t.comment(r.stdout + r.stderr);
  t.match(r.stdout, /^enabled=Y$/m, 'AppArmor enabled in the guest kernel');
  t.match(r.stdout, /^lsm=.*apparmor/m);
  t.match(r.stdout, /^loaded=yes$/m, `apparmor_parser loaded the profile: ${r.stderr}`);
  t.match(r.stdout, new RegExp(`profiles=.*${PROFILE} \\(enforce\\)`));
  if (!RUNTIME.endsWith('runc')) t.match(r.stdout, /^features=true$/m, 'features reports apparmor.enabled: true');
});

t.test('process.apparmorProfile: the container runs confined and the denied write fails', opts, async (t) => {
  const cfg = config('aa-confined', ['sh', '-c', 'echo ok > /written; echo no > /tmp/denied; exec sleep 1000'], (c) => {
    c.process.apparmorProfile = PROFILE;
  });
  const f = await scenario(
    t,
    'aa-confined',
    cfg,
    `
rt run -d --bundle "$B" "$ID" 2> /tmp/err.$ID || { fact failed "run: $(cat /tmp/err.$ID)"; exit 0; }
pid=$(init_pid)
wait_for 10 grep -q sleep /proc/$pid/cmdline
fact attr_current "$(cat /proc/$pid/attr/current)"
[ -e /proc/$pid/attr/apparmor/current ] && fact attr_apparmor_current "$(cat /proc/$pid/attr/apparmor/current)"
fact written "$(cat $B/rootfs/written 2>&1)"
fact denied_exists "$([ -e $B/rootfs/tmp/denied ] && echo yes || echo no)"
fact exec_write "$(rt exec "$ID" sh -c '(echo x > /tmp/also-denied) 2> /dev/null && echo wrote || echo refused' 2>&1)"
fact kernel_denied "$(dmesg | grep 'apparmor="DENIED"' | grep 'profile="${PROFILE}"' | grep -c 'name="/tmp/denied"')"
fact exec_attr "$(rt exec "$ID" cat /proc/self/attr/current 2>&1)"
`,
  );
  t.equal(f.failed, undefined, 'the container ran');
  t.equal(f.attr_current, `${PROFILE} (enforce)`, '/proc/<pid>/attr/current names the profile');
  if (f.attr_apparmor_current !== undefined) t.equal(f.attr_apparmor_current, `${PROFILE} (enforce)`);
  t.equal(f.written, 'ok', 'a write the profile allows succeeds');
  t.equal(f.denied_exists, 'no', 'the write under /tmp was denied');
  t.equal(f.exec_write, 'refused', 'exec runs under the container\'s profile too');
  t.equal(f.exec_attr, `${PROFILE} (enforce)`);
  t.ok(Number(f.kernel_denied) >= 1, `the kernel logged the denial by this profile (${f.kernel_denied} line(s))`);
});

t.test('without apparmorProfile the container is unconfined (the control case)', opts, async (t) => {
  const cfg = config('aa-unconfined', ['sh', '-c', 'echo yes > /tmp/allowed; exec sleep 1000']);
  const f = await scenario(
    t,
    'aa-unconfined',
    cfg,
    `
rt run -d --bundle "$B" "$ID" 2> /tmp/err.$ID || { fact failed "run: $(cat /tmp/err.$ID)"; exit 0; }
pid=$(init_pid)
wait_for 10 grep -q sleep /proc/$pid/cmdline
fact attr_current "$(cat /proc/$pid/attr/current)"
fact allowed "$(cat $B/rootfs/tmp/allowed 2>&1)"
`,
  );
  t.equal(f.failed, undefined, 'the container ran');
  t.equal(f.attr_current, 'unconfined');
  t.equal(f.allowed, 'yes');
});

t.test('a profile the kernel does not know: a clear error naming the field, nothing left', opts, async (t) => {
  const cfg = config('aa-unknown', ['true'], (c) => {
    c.process.apparmorProfile = 'tsrun-no-such-profile';
  });
  const f = await scenario(
    t,
    'aa-unknown',
    cfg,
    `
rt run --bundle "$B" "$ID" > /tmp/out.$ID 2>&1
fact status $?
fact error "$(tail -n 1 /tmp/out.$ID)"
fact state_dir "$([ -e "$STATE_ROOT/$ID" ] && echo present || echo absent)"
fact cgroup_dir "$([ -e "$CGROUP" ] && echo present || echo absent)"
`,
  );
  t.not(f.status, '0');
  if (!RUNTIME.endsWith('runc')) t.match(f.error, /process\.apparmorProfile.*tsrun-no-such-profile/, 'names the field and the profile');
  t.equal(f.state_dir, 'absent');
  t.equal(f.cgroup_dir, 'absent');
});
