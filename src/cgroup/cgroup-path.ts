// OCI linux.cgroupsPath → the absolute directory of the container's cgroup in
// the v2 hierarchy mounted at `mount`.
//
// Choices, compared with runc's fs2 driver (libcontainer/cgroups/fs2/defaultpath.go):
// - absolute "/a/b" → <mount>/a/b, as runc.
// - relative "a/b" → <mount>/a/b. The spec lets a runtime pick the base
//   ("a runtime-determined location") but says the same value MUST always
//   attach to the same place. runc joins a relative path to the parent of
//   its *own* cgroup (from /proc/self/cgroup), so the result depends on
//   where the caller (a shim, a shell, a systemd unit) happens to run.
//   tsrun takes the hierarchy root: the same config always names the same
//   cgroup.
// - unset → <mount>/tsrun/<id>. runc uses /<id> directly under the root;
//   grouping under /tsrun keeps tsrun's containers in one subtree that an
//   operator can inspect, limit or clean up as a whole, and away from
//   names other managers use at the top level.
// - "slice:prefix:name" is the systemd driver's syntax: tsrun has no
//   systemd driver, so it is an error rather than a literal directory name.
// - ".." components are rejected instead of being cleaned away (runc's
//   CleanPath): a config that tries to climb out of the hierarchy is wrong,
//   and silently placing it elsewhere would hide that (the spec lets a
//   runtime refuse cgroupsPath values, with an error).
import { CgroupError } from '../errors.ts';

const SYSTEMD_SYNTAX = /^[^/:]*:[^/:]*:[^/:]+$/;

/** Default parent of containers that set no cgroupsPath, relative to the mount. */
export const DEFAULT_CGROUP_PARENT = 'tsrun';

/**
 * The container's cgroup as a path inside any hierarchy ("/tsrun/<id>"): the
 * same relative place under the v2 mount and under each v1 controller's mount.
 */
export function cgroupRelativePath(cgroupsPath: string | undefined, id: string): string {
  const inner = cgroupsPath === undefined || cgroupsPath === '' ? `${DEFAULT_CGROUP_PARENT}/${id}` : cgroupsPath;
  const what = inner;

  if ((cgroupsPath === undefined || cgroupsPath === '') && (id.includes('/') || id === '' || id === '.')) {
    throw new CgroupError(inner, `container id ${JSON.stringify(id)} cannot name a cgroup directory`);
  }
  if (cgroupsPath !== undefined && SYSTEMD_SYNTAX.test(cgroupsPath)) {
    throw new CgroupError(
      cgroupsPath,
      `cgroupsPath ${cgroupsPath} uses the systemd "slice:prefix:name" syntax, but the systemd cgroup driver is not supported; use a path such as /tsrun/<id>`,
    );
  }
  if (inner.includes('\0')) {
    throw new CgroupError(what, `cgroupsPath ${JSON.stringify(what)} contains a NUL byte`);
  }
  const parts = inner.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new CgroupError(what, `cgroupsPath ${what} contains "..": it must stay inside the cgroup hierarchy`);
  }
  if (parts.length === 0) {
    // The root cgroup has no cgroup.kill or cgroup.freeze, and holds every
    // other process on the host: never a container's own cgroup.
    throw new CgroupError(what, `cgroupsPath ${what} names the root cgroup; a container needs its own cgroup`);
  }
  return `/${parts.join('/')}`;
}

/** The container's cgroup directory in the hierarchy mounted at `mount`. */
export function resolveCgroupPath(cgroupsPath: string | undefined, id: string, mount: string): string {
  return joinMount(mount, cgroupRelativePath(cgroupsPath, id));
}

/** `mount` + a "/a/b" path inside it. */
export function joinMount(mount: string, relative: string): string {
  const root = mount.length > 1 ? mount.replace(/\/+$/, '') : mount;
  return `${root === '/' ? '' : root}${relative}`;
}
