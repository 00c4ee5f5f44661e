// Carry out a list of CgroupWrites: open the existing file (cgroupfs never
// creates one, so a name the kernel does not have is ENOENT, reported as
// such), write, and name the config field and file on any refusal.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../errors.ts';
import { errnoCode } from './cgroup-dir.ts';
import type { CgroupWrite } from './cgroup-write.ts';

// Why the kernel answers EOPNOTSUPP to a per-device line: the device is not
// under the weight-based policy that file belongs to.
const REFUSAL_HINTS: Record<string, string> = {
  'io.weight': 'a per-device io.weight needs the iocost controller enabled for that device in the root io.cost.qos',
  'io.bfq.weight': "a per-device io.bfq.weight needs bfq as that device's I/O scheduler",
};

export function writeCgroupFile(dir: string, w: CgroupWrite): void {
  const target = join(dir, w.file);
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_TRUNC);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') {
      const which = w.controller ? `the ${w.controller} controller has no ${w.file} here` : `no ${w.file} here`;
      throw new CgroupError(target, `${w.pointer}: cannot write ${target}: the file does not exist (${which})`);
    }
    throw new CgroupError(target, `${w.pointer}: cannot open ${target}`, { cause: err });
  }
  try {
    writeSync(fd, w.value);
  } catch (err) {
    // EOPNOTSUPP and ENOTSUP are one errno on Linux; node names it ENOTSUP.
    const code = errnoCode(err);
    const hint = code === 'ENOTSUP' || code === 'EOPNOTSUPP' ? REFUSAL_HINTS[w.file] : undefined;
    throw new CgroupError(target, `${w.pointer}: the kernel refused ${JSON.stringify(w.value)} in ${target}${hint ? ` (${hint})` : ''}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/**
 * Write in order. A write marked retryAfterRest that fails with EINVAL is
 * tried once more after all the others (see CgroupWrite).
 */
export function applyWrites(writes: CgroupWrite[], dirOf: (w: CgroupWrite) => string): void {
  const later: CgroupWrite[] = [];
  for (const w of writes) {
    try {
      writeCgroupFile(dirOf(w), w);
    } catch (err) {
      if (w.retryAfterRest && errnoCode((err as Error).cause) === 'EINVAL') later.push(w);
      else throw err;
    }
  }
  for (const w of later) writeCgroupFile(dirOf(w), w);
}
