// What every guest test file does the same way: boot one guest for the whole
// file (or say loudly why not), build a container config for it, and run a
// shell scenario whose `key=value` lines become the facts a test asserts on.
import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { baseConfig } from '../helpers/bundle.ts';
import { Guest, GuestUnavailable, type GuestOptions, type GuestResult } from './guest.ts';

/** The runtime under test: this tree's bin/tsrun unless TSRUN_VM_RUNTIME names another (e.g. /usr/sbin/runc). */
export const RUNTIME = process.env.TSRUN_VM_RUNTIME ?? resolve(import.meta.dirname, '../../bin/tsrun');
const LIB = readFileSync(resolve(import.meta.dirname, 'container-lib.sh'), 'utf8');

export interface GuestFile {
  guest: Guest | undefined;
  /** tap options for every test of the file: a skip with its reason when no guest booted. */
  opts: { skip?: string };
}

/**
 * Boot the file's guest and close it at the file's teardown. WHAT names the
 * suite in the loud skip banner; MISSING returns a reason to skip before
 * booting (a host tool the file needs), or false.
 */
export async function bootGuestFile(t: Test, what: string, options: GuestOptions = {}, missing: () => string | false = () => false): Promise<GuestFile> {
  const started = Date.now();
  let guest: Guest | undefined;
  let skip: string | false = process.getuid?.() !== 0 ? 'needs root: the guest image is cached under /var/cache/tsrun-vm' : missing();
  if (!skip) {
    try {
      guest = await Guest.boot(options);
      t.comment(`guest booted in ${guest.bootMs} ms (${guest.accel}); runtime ${RUNTIME}`);
    } catch (err) {
      if (!(err instanceof GuestUnavailable)) throw err;
      skip = `no guest: ${err.message}`;
    }
  }
  // Loud: a skipped guest file means what it proves went unproved.
  if (skip) process.stderr.write(`\n${'!'.repeat(72)}\n!! ${what} SKIPPED: ${skip}\n${'!'.repeat(72)}\n\n`);
  t.teardown(async () => {
    await guest?.close();
    t.comment(`guest file total ${Date.now() - started} ms`);
  });
  return { guest, opts: skip ? { skip } : {} };
}

/** A config for the guest: runc's default, cgroup at /tsrun-vm/ID, no /sys/fs/cgroup mount (the tests look from outside). */
export function guestConfig(id: string, args: string[], patch?: (c: any) => void): any {
  const c = baseConfig();
  c.process.args = args;
  c.linux.cgroupsPath = `/tsrun-vm/${id}`;
  c.mounts = c.mounts.filter((m: any) => m.destination !== '/sys/fs/cgroup');
  patch?.(c);
  return c;
}

/**
 * Run SCRIPT in the guest with the container library (container-lib.sh) and
 * ID's bundle holding CFG; everything it printed goes to the test's comments.
 */
export async function runScenario(
  t: Test,
  guest: Guest,
  id: string,
  cfg: any,
  script: string,
  timeoutSec: number,
): Promise<{ facts: Record<string, string>; result: GuestResult }> {
  const full = [`R='${RUNTIME}'`, `ID='${id}'`, LIB, `bundle <<'TSRUN_VM_CONFIG'\n${JSON.stringify(cfg)}\nTSRUN_VM_CONFIG`, script].join('\n');
  const result = await guest.run(full, { timeoutSec });
  t.comment(`${id}: ${result.ms} ms in the guest${result.status !== 0 ? `, script exit ${result.status}` : ''}`);
  t.comment(`stdout:\n${result.stdout}stderr:\n${result.stderr}`);
  const facts: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const m = /^([a-z][\w.]*)=(.*)$/.exec(line);
    if (m) facts[m[1]!] = m[2]!;
  }
  return { facts, result };
}
