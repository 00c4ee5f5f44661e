// tsrun run by an unprivileged user (runc's rootless mode): which cgroup
// the container gets, how its user namespace's id maps are written, and
// what such a config must have. Root's path through create is unchanged.
import type * as ChildProcess from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RootlessFlag } from '../cli/global-flags.ts';
import { joinMount } from '../cgroup/cgroup-path.ts';
import type { CgroupManager } from '../cgroup/manager.ts';
import { NoCgroupManager } from '../cgroup/no-cgroup-manager.ts';
import { SpecError } from '../errors.ts';
import type { IdMapping, Spec } from '../spec/types.ts';
import { inUserNamespace } from '../state/paths.ts';
import { writeProcFile } from './proc-write.ts';

function euid(): number {
  return process.geteuid?.() ?? 0;
}

/** Not root of the initial user namespace: no CAP_SYS_ADMIN over cgroupfs, devices or others' ids. */
export function unprivileged(): boolean {
  return euid() !== 0 || inUserNamespace();
}

/**
 * runc's --rootless (shouldUseRootlessCgroupManager): true/false as given;
 * auto is true for a non-root caller and for root inside a user namespace.
 */
export function rootlessCgroups(flag: RootlessFlag): boolean {
  if (flag !== 'auto') return flag === 'true';
  return unprivileged();
}

/** The nearest existing directory at or above `path`. */
function existingAncestor(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function writable(dir: string): boolean {
  try {
    accessSync(existingAncestor(dir), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The deepest directory holding both paths. */
export function commonAncestor(a: string, b: string): string {
  const pa = a.split('/');
  const pb = b.split('/');
  let n = 0;
  while (n < pa.length && n < pb.length && pa[n] === pb[n]) n++;
  return pa.slice(0, n).join('/') || '/';
}

/**
 * cgroup v2 lets a process move from its cgroup to another only with write
 * access to cgroup.procs of their common ancestor: a delegated subtree is
 * usable by a caller that runs inside it (as systemd puts a user's session).
 */
function joinable(v2Dir: string, v2Mount: string, selfCgroup: string): boolean {
  const own = /^0::(\/.*)$/m.exec(selfCgroup)?.[1];
  if (own === undefined) return false;
  const procs = `${commonAncestor(joinMount(v2Mount, own), v2Dir)}/cgroup.procs`;
  try {
    accessSync(procs, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Rootless: the planned cgroups when every directory of them can be made
 * and joined (a delegated subtree the caller runs in), else none — as runc
 * ignores cgroup permission errors in rootless mode. Limits then fail in
 * NoCgroupManager.apply.
 */
export function rootlessCgroupManager(
  planned: CgroupManager,
  v2Mount: string | undefined,
  selfCgroup = readFileSync('/proc/self/cgroup', 'utf8'),
): CgroupManager {
  const dirs = planned.dirs();
  const all = [...(dirs.v2 ? [dirs.v2] : []), ...Object.values(dirs.v1)];
  const usable = all.length > 0 && all.every(writable) && (!dirs.v2 || !v2Mount || joinable(dirs.v2, v2Mount, selfCgroup));
  return usable ? planned : new NoCgroupManager();
}

/**
 * A caller that is not root cannot create any namespace outside a user
 * namespace of its own: say so before anything is made.
 */
export function checkRootlessSpec(spec: Spec, configFile: string): void {
  if (!unprivileged()) return;
  const namespaces = spec.linux?.namespaces ?? [];
  const problems = [];
  if (euid() !== 0 && !namespaces.some((ns) => ns.type === 'user')) {
    problems.push({
      pointer: '/linux/namespaces',
      reason: `tsrun runs as uid ${euid()}, not root: the container needs a user namespace ({"type": "user"} with /linux/uidMappings and /linux/gidMappings; tsrun spec --rootless writes such a config)`,
    });
  }
  const newUserNs = namespaces.some((ns) => ns.type === 'user' && !ns.path);
  if (newUserNs && euid() !== 0 && (spec.process?.user?.additionalGids?.length ?? 0) > 0 && !needsHelper(spec.linux?.gidMappings, process.getegid?.() ?? 0)) {
    problems.push({
      pointer: '/process/user/additionalGids',
      reason:
        "additional gids need setgroups, which a user namespace mapping only the caller's gid denies (map a subordinate gid range, via newgidmap, to use them)",
    });
  }
  if (problems.length) throw new SpecError(configFile, problems);
}

/** More than the caller's own id (one range of size 1): only newuidmap/newgidmap may write it. */
function needsHelper(maps: readonly IdMapping[] | undefined, own: number): boolean {
  const m = maps ?? [];
  return !(m.length === 1 && m[0]!.hostID === own && m[0]!.size === 1);
}

function findHelper(name: string): string | undefined {
  for (const dir of (process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const path = `${dir}/${name}`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return undefined;
}

// Loaded only when a helper runs: child_process pulls in net, dgram and the
// streams, ~30 ms of module loading on every create that maps no range.
let childProcess: typeof ChildProcess | undefined;

function runHelper(helper: 'newuidmap' | 'newgidmap', pid: number, maps: readonly IdMapping[], pointer: string, configFile: string): void {
  const path = findHelper(helper);
  if (!path) {
    throw new SpecError(configFile, [
      {
        pointer,
        reason: `mapping more than your own id needs ${helper} (Debian package uidmap) and a range in /etc/sub${helper === 'newuidmap' ? 'uid' : 'gid'}: ${helper} is not on PATH`,
      },
    ]);
  }
  const args = [String(pid), ...maps.flatMap((m) => [String(m.containerID), String(m.hostID), String(m.size)])];
  try {
    childProcess ??= process.getBuiltinModule('node:child_process');
    childProcess.execFileSync(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr =
      String((err as { stderr?: Buffer }).stderr ?? '')
        .trim()
        .split('\n')
        .at(-1) ?? '';
    throw new SpecError(configFile, [{ pointer, reason: `${helper} ${args.join(' ')} refused the mapping: ${stderr || (err as Error).message}` }], {
      cause: err,
    });
  }
}

/**
 * Write the new user namespace's maps into /proc/<pid>. Root writes them
 * itself. A user may write only a map of its own id (and, for gid_map,
 * after denying setgroups); anything more goes through the setuid
 * newuidmap/newgidmap, which check /etc/subuid and /etc/subgid.
 */
export function writeIdMaps(pid: number, spec: Spec, text: { uid: string; gid: string }, mountinfo: string, configFile: string): void {
  if (euid() === 0) {
    writeProcFile(`/proc/${pid}/uid_map`, text.uid, mountinfo);
    writeProcFile(`/proc/${pid}/gid_map`, text.gid, mountinfo);
    return;
  }
  const uids = spec.linux?.uidMappings ?? [];
  const gids = spec.linux?.gidMappings ?? [];
  if (needsHelper(uids, euid())) runHelper('newuidmap', pid, uids, '/linux/uidMappings', configFile);
  else writeProcFile(`/proc/${pid}/uid_map`, text.uid, mountinfo);
  if (needsHelper(gids, process.getegid?.() ?? 0)) {
    runHelper('newgidmap', pid, gids, '/linux/gidMappings', configFile);
  } else {
    writeProcFile(`/proc/${pid}/setgroups`, 'deny', mountinfo);
    writeProcFile(`/proc/${pid}/gid_map`, text.gid, mountinfo);
  }
}
