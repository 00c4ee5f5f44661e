// wire.ts mirrors csrc/include/wire.h and encode.ts mirrors plan.h: parse
// the headers and compare, so the two sides cannot drift apart.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
import { MOUNT_EXT } from '../../../src/kernel/mount-flags.ts';
import { CPU_AFFINITY, FD_OFF, MOUNT_KINDS, HOOK_KINDS, LSM_KINDS, PLAN_VERSION, PROC_FLAGS, REC, ROOTFS_FLAGS, SLOTS } from '../../../src/plan/encode.ts';
import { MSG, MSG_MAX, STEPS } from '../../../src/launch/wire.ts';
import { CGKILL, FREEZER, LC_CGROUP_KILL, LC_CONTAINER, LC_CONTAINER_STR, LC_FREEZER, LC_HOOK, LC_HOOK_KIND, LC_PROCS, LC_RMDIR, LCF, PROCS, RMDIR } from '../../../src/plan/lifecycle-record.ts';

const include = resolve(import.meta.dirname, '../../../csrc/include');

function cEnum(text: string, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`\\b${prefix}([A-Z_0-9]+)\\s*=\\s*(\\d+)`, 'g'))) out[m[1]!] = Number(m[2]);
  for (const m of text.matchAll(new RegExp(`#define ${prefix}([A-Z_0-9]+)\\s+(0x[0-9a-f]+|\\d+)u?`, 'gi'))) out[m[1]!] = Number(m[2]);
  return out;
}

t.test('wire.h and wire.ts agree', async (t) => {
  const h = readFileSync(`${include}/wire.h`, 'utf8');
  t.same(cEnum(h, 'MSG_'), MSG);
  const steps = cEnum(h, 'STEP_');
  t.same(Object.fromEntries(Object.entries(steps).map(([k, v]) => [v, k.toLowerCase()])), STEPS);
  t.same(cEnum(h, 'FD_OFF_'), { PLAN: FD_OFF.PLAN, SYNC: FD_OFF.SYNC, FIFO: FD_OFF.FIFO, CONSOLE: FD_OFF.CONSOLE, FIRST_NS: FD_OFF.FIRST_NS });
  t.match(h, new RegExp(`TSR_MSG_MAX \\(${MSG_MAX / 1024}u \\* 1024u\\)`));
});

t.test('plan.h and encode.ts agree', async (t) => {
  const h = readFileSync(`${include}/plan.h`, 'utf8');
  const recs = cEnum(h, 'REC_');
  delete recs.KIND_MAX;
  t.same(recs, REC);
  t.same(cEnum(h, 'PROC_'), PROC_FLAGS);
  t.same(cEnum(h, 'ROOTFS_'), ROOTFS_FLAGS);
  t.same(cEnum(h, 'CPU_AFFINITY_'), CPU_AFFINITY);
  t.same(cEnum(h, 'MOUNT_'), MOUNT_KINDS);
  t.same(cEnum(h, 'EXT_'), MOUNT_EXT);
  t.same(cEnum(h, 'LSM_'), { APPARMOR: LSM_KINDS.apparmor, SELINUX: LSM_KINDS.selinux });
  t.same(cEnum(h, 'HOOK_'), { CREATE_CONTAINER: HOOK_KINDS.createContainer, START_CONTAINER: HOOK_KINDS.startContainer });
  t.match(h, new RegExp(`TSR_PLAN_VERSION ${PLAN_VERSION}\\b`));
});

/**
 * plan.h's `enum tsr_<kind>_slot { P_A, P_B, P_SLOTS }` → { KIND: ['A', 'B'] }:
 * the members in order, comments dropped, the count last and named after
 * the prefix every member shares.
 */
function slotEnums(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of text.matchAll(/enum tsr_([a-z_]+)_slot\s*\{([^}]*)\}/g)) {
    const members = m[2]!
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const count = members.pop()!;
    if (!count.endsWith('_SLOTS')) throw new Error(`enum tsr_${m[1]}_slot must end with its <PREFIX>_SLOTS count, not ${count}`);
    const prefix = count.slice(0, -'SLOTS'.length);
    out[m[1]!.toUpperCase()] = members.map((x) => {
      if (!x.startsWith(prefix) || x.includes('=')) throw new Error(`tsr_${m[1]}_slot: ${x} must be ${prefix}NAME, without a value`);
      return x.slice(prefix.length);
    });
  }
  return out;
}

t.test('plan.h and encode.ts agree slot by slot', async (t) => {
  const h = readFileSync(`${include}/plan.h`, 'utf8');
  const c = slotEnums(h);
  // Every launch-plan kind (REC) with slots in C has the same slots in TS;
  // the lifecycle record's kinds (27..35) are compared by the front door's own mirror.
  const launchKinds = Object.fromEntries(Object.entries(c).filter(([k]) => k in REC));
  t.same(launchKinds, SLOTS);
  for (const kind of Object.keys(SLOTS)) t.ok(kind in REC, `${kind} is a record kind`);
  t.throws(() => slotEnums('enum tsr_x_slot { X_A, X_B };'), /must end with/, 'the parser itself refuses a malformed enum');
  t.throws(() => slotEnums('enum tsr_x_slot { X_A, Y_B, X_SLOTS };'), /must be X_NAME/);
});

t.test('plan.h and lifecycle-record.ts agree on the lifecycle record slots', async (t) => {
  const h = readFileSync(`${include}/plan.h`, 'utf8');
  const prefixed = (prefix: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}${k}`, v]));
  t.same(cEnum(h, 'LC_CONTAINER_'), { ...LC_CONTAINER, ...prefixed('STR_', LC_CONTAINER_STR) });
  t.same(cEnum(h, 'LCF_'), LCF);
  t.same(cEnum(h, 'LC_FREEZER_'), LC_FREEZER);
  t.same(cEnum(h, 'FREEZER_'), FREEZER);
  t.same(cEnum(h, 'LC_PROCS_'), LC_PROCS);
  t.same(cEnum(h, 'PROCS_'), PROCS);
  t.same(cEnum(h, 'LC_CGROUP_KILL_'), LC_CGROUP_KILL);
  t.same(cEnum(h, 'CGKILL_'), CGKILL);
  t.same(cEnum(h, 'LC_RMDIR_'), LC_RMDIR);
  t.same(cEnum(h, 'RMDIR_'), RMDIR);
  t.same(cEnum(h, 'LC_HOOK_'), { ...LC_HOOK, ...prefixed('KIND_', LC_HOOK_KIND) });
  t.match(h, /REC_KIND_MAX = 36,/);
});
