// Where a container's state lives: <root>/<id>/state.json and exec.fifo.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Root's state root, runc's /run/runc. */
export const SYSTEM_ROOT = '/run/tsrun';

/** Facts the default root depends on, passed in so the rule is testable. */
export interface RootEnv {
  euid: number;
  xdgRuntimeDir: string | undefined;
  user: string | undefined;
  /** In a user namespace other than the initial one (uid_map is not the identity "0 0 4294967295"). */
  inUserNamespace: boolean;
}

/**
 * The state root when --root is not given. THE C FRONT DOOR MIRRORS THIS
 * RULE (csrc/frontdoor): change both together.
 *   1. XDG_RUNTIME_DIR non-empty, and either euid != 0 or (euid 0 inside a
 *      user namespace and USER unset or not "root")  → $XDG_RUNTIME_DIR/tsrun
 *   2. euid != 0                                       → /run/user/<euid>/tsrun
 *   3. otherwise                                       → /run/tsrun
 * Rule 1 is runc's (shouldHonorXDGRuntimeDir, with "runc" → "tsrun"); runc
 * falls back to /run/runc where rule 2 stands, which a user cannot write.
 */
export function defaultRoot(env: RootEnv = hostRootEnv()): string {
  const xdg = env.xdgRuntimeDir;
  if (xdg && (env.euid !== 0 || (env.inUserNamespace && env.user !== 'root'))) return join(xdg, 'tsrun');
  if (env.euid !== 0) return `/run/user/${env.euid}/tsrun`;
  return SYSTEM_ROOT;
}

export function hostRootEnv(): RootEnv {
  const euid = process.geteuid?.() ?? 0;
  return {
    euid,
    xdgRuntimeDir: process.env.XDG_RUNTIME_DIR,
    user: process.env.USER,
    // Read only where it matters (root with XDG_RUNTIME_DIR set).
    inUserNamespace: euid === 0 && !!process.env.XDG_RUNTIME_DIR && inUserNamespace(),
  };
}

/** runc's userns.RunningInUserNS: the uid map is anything but the whole identity range. */
export function inUserNamespace(uidMap?: string): boolean {
  let text = uidMap;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/uid_map', 'utf8');
    } catch {
      return false;
    }
  }
  const lines = text.trim().split('\n');
  if (lines.length !== 1) return true;
  const [inside, outside, size] = lines[0]!.trim().split(/\s+/);
  return !(inside === '0' && outside === '0' && size === '4294967295');
}

export function containerDir(root: string, id: string): string {
  return join(root, id);
}

export function stateFile(dir: string): string {
  return join(dir, 'state.json');
}

export function execFifo(dir: string): string {
  return join(dir, 'exec.fifo');
}

/** linux.netDevices: the container's network namespace, bound here until delete. */
export function netnsFile(dir: string): string {
  return join(dir, 'netns');
}

/**
 * Compiled seccomp programs, shared by the containers of a root. A dot
 * name: no container id starts with one, and `list` skips them.
 */
export function seccompCacheDir(root: string): string {
  return join(root, '.seccomp-cache');
}
