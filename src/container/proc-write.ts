// The parent's writes into /proc/<init>/{uid_map,gid_map}.
// Before writing as root, check that the file really is on the host's
// procfs: the mount covering it is a whole procfs mounted at /proc (from
// mountinfo), and the opened fd lives on that filesystem (same device as
// /proc) and is a regular file. Anything else mounted there is refused
// (CVE-2025-52881 class: a write redirected to another file).
import { closeSync, constants, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { parseMountinfo } from '../host/mountinfo.ts';
import { SystemError } from '../errors.ts';

/** Why `path` is not a plain procfs file per mountinfo, or undefined when it is. */
export function procfsProblem(path: string, mountinfo: string): string | undefined {
  let covering: { mountPoint: string; fsType: string; root: string } | undefined;
  for (const m of parseMountinfo(mountinfo)) {
    const mp = m.mountPoint;
    if (path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) {
      if (!covering || mp.length >= covering.mountPoint.length) covering = m;
    }
  }
  if (!covering) return 'no mount covers it';
  if (covering.mountPoint !== '/proc' || covering.fsType !== 'proc' || covering.root !== '/') {
    return `${covering.mountPoint} (${covering.fsType}) is mounted over it, not the procfs at /proc`;
  }
  return undefined;
}

export function writeProcFile(path: string, data: string, mountinfo: string): void {
  const problem = procfsProblem(path, mountinfo);
  if (problem) throw new SystemError(`refusing to write ${path}: ${problem}`);
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.dev !== statSync('/proc').dev) throw new SystemError(`refusing to write ${path}: not a file of the procfs at /proc`);
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}
