// wire.ts mirrors csrc/include/wire.h and encode.ts mirrors plan.h: parse
// the headers and compare, so the two sides cannot drift apart.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
import { MOUNT_EXT } from '../../../src/kernel/mount-flags.ts';
import {
  CPU_AFFINITY,
  FD_OFF,
  MOUNT_KINDS,
  HOOK_KINDS,
  LSM_KINDS,
  PLAN_VERSION,
  PROC_FLAGS,
  REC,
  ROOTFS_FLAGS,
  SLOTS,
  STRS,
} from '../../../src/plan/encode.ts';
import { MSG, MSG_MAX, STEPS } from '../../../src/launch/wire.ts';
import { CGKILL, FREEZER, LC_HOOK_KIND, LCF, PROCS, RMDIR } from '../../../src/plan/lifecycle-record.ts';

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
  // The lifecycle record's flags and kinds (src/plan/lifecycle-record.ts).
  t.same(cEnum(h, 'LCF_'), LCF);
  t.same(cEnum(h, 'FREEZER_'), FREEZER);
  t.same(cEnum(h, 'PROCS_'), PROCS);
  t.same(cEnum(h, 'CGKILL_'), CGKILL);
  t.same(cEnum(h, 'RMDIR_'), RMDIR);
  t.same(cEnum(h, 'LC_HOOK_KIND_'), LC_HOOK_KIND);
  t.match(h, new RegExp(`TSR_PLAN_VERSION ${PLAN_VERSION}\\b`));
  t.match(h, /REC_KIND_MAX = 36,/);
});

/**
 * plan.h's `enum tsr_<kind>_slot { P_A, P_B, P_SLOTS }` → { KIND: ['A', 'B'] }:
 * the members in order, comments dropped, the count last and named after
 * the prefix every member shares. With `str`: `enum tsr_<kind>_str
 * { P_STR_A, P_STR_B, P_STRS }`, the names of a kind's strings.
 */
function slotEnums(text: string, what: 'slot' | 'str' = 'slot'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const suffix = what === 'slot' ? 'SLOTS' : 'STRS';
  for (const m of text.matchAll(new RegExp(`enum tsr_([a-z_]+)_${what}\\s*\\{([^}]*)\\}`, 'g'))) {
    const members = m[2]!
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const count = members.pop()!;
    if (!count.endsWith(`_${suffix}`)) throw new Error(`enum tsr_${m[1]}_${what} must end with its <PREFIX>_${suffix} count, not ${count}`);
    const prefix = what === 'slot' ? count.slice(0, -suffix.length) : `${count.slice(0, -1)}_`;
    out[m[1]!.toUpperCase()] = members.map((x) => {
      if (!x.startsWith(prefix) || x.includes('=')) throw new Error(`tsr_${m[1]}_${what}: ${x} must be ${prefix}NAME, without a value`);
      return x.slice(prefix.length);
    });
  }
  return out;
}

t.test('plan.h and encode.ts agree slot by slot', async (t) => {
  const h = readFileSync(`${include}/plan.h`, 'utf8');
  // Every kind with slots in C (the launch plan's and the lifecycle
  // record's) has the same slots in TS, and the named strings likewise.
  t.same(slotEnums(h), SLOTS);
  t.same(slotEnums(h, 'str'), STRS);
  for (const kind of [...Object.keys(SLOTS), ...Object.keys(STRS)]) t.ok(kind in REC, `${kind} is a record kind`);
  t.throws(() => slotEnums('enum tsr_x_slot { X_A, X_B };'), /must end with/, 'the parser itself refuses a malformed enum');
  t.throws(() => slotEnums('enum tsr_x_slot { X_A, Y_B, X_SLOTS };'), /must be X_NAME/);
  t.throws(() => slotEnums('enum tsr_x_slot { X_A = 0, X_SLOTS };'), /without a value/);
  t.same(slotEnums('enum tsr_x_str { X_STR_A, X_STR_B, X_STRS };', 'str'), { X: ['A', 'B'] });
  t.throws(() => slotEnums('enum tsr_x_str { X_A, X_STRS };', 'str'), /must be X_STR_NAME/);
});
