// process.apparmorProfile for real: the development hosts run no AppArmor,
// so a guest boots with `apparmor=1 security=apparmor`, loads a small
// profile with the host's apparmor_parser (Debian package apparmor, seen
// through the guest's 9p root), and runs containers under it. From the
// guest side: /proc/<pid>/attr/current names the profile; from inside: the
// write the profile denies fails while others succeed.
//
// TSRUN_VM_RUNTIME=/usr/sbin/runc runs the same scenarios against runc.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { bootGuestFile, guestConfig, runScenario, RUNTIME } from './guest-file.ts';

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

const { guest, opts } = await bootGuestFile(t, 'AppArmor guest tests', { append: 'apparmor=1 security=apparmor' }, () =>
  existsSync(PARSER) ? false : `no ${PARSER} on the host (apt package apparmor)`,
);

/** The guest config with a writable root (the tests write into it). */
function config(id: string, args: string[], patch?: (c: any) => void): any {
  return guestConfig(id, args, (c) => {
    c.root.readonly = false;
    patch?.(c);
  });
}

async function scenario(t: Test, id: string, cfg: any, script: string): Promise<Record<string, string>> {
  return (await runScenario(t, guest!, id, cfg, script, 300)).facts;
}

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
  t.equal(f.exec_write, 'refused', "exec runs under the container's profile too");
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
