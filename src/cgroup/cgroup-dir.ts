// One directory of one cgroup hierarchy: create it (recording which
// directories were made, so that only those are removed), read and write its
// interface files, list its processes, remove it. The v2 core interface
// files (cgroup.kill, cgroup.freeze, cgroup.events) are driven from here too;
// on a v1 hierarchy they do not exist and the v1 manager uses its own files.
import { type Dirent, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { SIGKILL } from '../kernel/signals.ts';
import { dirname, join } from 'node:path';
import { CgroupError } from '../errors.ts';

// A plain timer rather than node:timers/promises, which would otherwise be
// loaded by every create (~0.3 ms of CPU) although only removal waits here.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What state.json keeps of one directory so that a later tsrun process can rebuild it. */
export interface CgroupDirRecord {
  /** Absolute directory of the container's cgroup in this hierarchy. */
  path: string;
  /** Directories tsrun created for it (the leaf and any missing parents); only these are removed, but never the sharedParent. */
  created: string[];
  /**
   * tsrun's default parent (<mount>/tsrun) of a container that set no
   * cgroupsPath. Shared by every such container and made by whichever came
   * first (then also in its `created`), it is tsrun's own cgroup root, as
   * /run/tsrun is its state root: it stays. Removing it with the last
   * container and making it again with the next cost each create 4-10 ms
   * on a v1 host, where the kernel rebuilds the scheduler domains for a
   * top-level cpuset at both ends (docs/ARCHITECTURE.md, "Cgroups").
   */
  sharedParent?: string;
}

const DEFAULT_FREEZE_TIMEOUT_MS = 5000;
const DEFAULT_REMOVE_TIMEOUT_MS = 2000;
// mkdir of the leaf fails with ENOENT when another container's delete
// removed the (then empty) shared parent between our mkdir of it and of the
// leaf: make the parents again. Each concurrent delete removes the parent at
// most once, so a few rounds always get through.
const CREATE_ATTEMPTS = 20;

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (err) {
    if (errnoCode(err) === 'ENOTDIR') return false; // a file where a parent should be
    throw err;
  }
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/** "key value" lines, as in cgroup.events. */
export function parseFlatKeyed(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, value);
  }
  return map;
}

/** Poll `check` with a short, growing interval until it is true or `timeoutMs` passes. */
export async function pollUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 25);
  }
}

export class CgroupDir {
  readonly path: string;
  readonly sharedParent: string | undefined;
  #created: string[];

  constructor(path: string, created: string[] = [], sharedParent?: string) {
    if (!path.startsWith('/')) throw new CgroupError(path, `cgroup path ${path} is not absolute`);
    this.path = path.length > 1 ? path.replace(/\/+$/, '') : path;
    this.#created = [...created];
    if (sharedParent !== undefined && sharedParent !== dirname(this.path)) {
      throw new CgroupError(this.path, `cgroup ${this.path}: shared parent ${sharedParent} is not its parent directory`);
    }
    this.sharedParent = sharedParent;
  }

  /**
   * Rebuild a manager from state.json. The record is checked because remove()
   * acts on it: `created` may only name the cgroup itself or its ancestors.
   */
  static fromRecord(rec: unknown): CgroupDir {
    const r = rec as Partial<CgroupDirRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.path !== 'string' || !r.path.startsWith('/')) {
      throw new CgroupError(String((r as { path?: unknown } | null)?.path ?? ''), 'cgroup record has no absolute path');
    }
    const path = r.path;
    const created = r.created ?? [];
    if (!Array.isArray(created) || !created.every((d) => typeof d === 'string')) {
      throw new CgroupError(path, `cgroup record for ${path}: created must be a list of paths`);
    }
    for (const dir of created) {
      if (dir !== path && !path.startsWith(`${dir}/`)) {
        throw new CgroupError(path, `cgroup record for ${path}: created directory ${dir} is not the cgroup or one of its parents`);
      }
    }
    if (r.sharedParent !== undefined && typeof r.sharedParent !== 'string') {
      throw new CgroupError(path, `cgroup record for ${path}: sharedParent must be a path`);
    }
    return new CgroupDir(path, created, r.sharedParent);
  }

  toRecord(): CgroupDirRecord {
    return { path: this.path, created: [...this.#created], ...(this.sharedParent !== undefined ? { sharedParent: this.sharedParent } : {}) };
  }

  create(): void {
    if (isDirectory(this.path)) {
      // Joining a live cgroup would mix two containers' processes, and
      // kill/delete of one would hit the other.
      const pids = this.procs();
      if (pids.length > 0 || !isEmpty(this.path)) {
        const which = pids.length > 0 ? ` (${pids.slice(0, 5).join(', ')})` : ' in sub-cgroups';
        throw new CgroupError(this.path, `cgroup ${this.path} already exists and has processes${which}`);
      }
      return;
    }
    const madeNow: string[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          this.#mkdirParents(madeNow);
          if (!isDirectory(this.path)) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
          break;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT' || attempt >= CREATE_ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      // Leave nothing half-made: undo this call's directories, deepest first.
      for (const dir of [...madeNow].reverse()) {
        if (dir === this.sharedParent) continue;
        try {
          rmdirSync(dir);
        } catch {
          // The original error is the one to report; a parent another
          // container started using meanwhile must stay anyway.
        }
      }
      this.#created = this.#created.filter((d) => !madeNow.includes(d));
      throw new CgroupError(this.path, `cannot create cgroup ${this.path}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
  }

  /**
   * Take back a create() whose sibling in another hierarchy failed: rmdir
   * what this manager made, deepest first. Just made, so still empty.
   */
  undoCreate(): void {
    for (const dir of this.#removable()) {
      try {
        rmdirSync(dir);
      } catch {
        // Another container's create may have put its cgroup below a parent
        // made here meanwhile: it stays, as in remove().
      }
    }
    this.#created = [];
  }

  /** What remove() takes away, deepest first: what was made for this cgroup, but never the shared parent. */
  #removable(): string[] {
    return this.#created.filter((d) => d !== this.sharedParent).sort((a, b) => depth(b) - depth(a));
  }

  // mkdir -p that records each directory it made itself.
  #mkdirParents(madeNow: string[]): void {
    const missing: string[] = [];
    for (let dir = this.path; !isDirectory(dir); dir = dirname(dir)) {
      missing.push(dir);
      if (dirname(dir) === dir) break;
    }
    for (const dir of missing.reverse()) {
      try {
        mkdirSync(dir);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue; // made by someone else: not ours to remove
        throw err;
      }
      madeNow.push(dir);
      // Made again after another container's delete removed it: listed once.
      if (!this.#created.includes(dir)) this.#created.push(dir);
    }
  }

  openDirFd(): number {
    try {
      return openSync(this.path, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (err) {
      throw new CgroupError(this.path, `cannot open cgroup ${this.path}: ${errnoCode(err)}`, { cause: err });
    }
  }

  write(file: string, value: string): void {
    const target = join(this.path, file);
    try {
      writeFileSync(target, value);
    } catch (err) {
      throw new CgroupError(target, `cannot write ${JSON.stringify(value)} to ${target}: ${errnoCode(err)}`, {
        cause: err,
      });
    }
  }

  read(file: string): string {
    const target = join(this.path, file);
    try {
      return readFileSync(target, 'utf8');
    } catch (err) {
      throw new CgroupError(target, `cannot read ${target}: ${errnoCode(err)}`, { cause: err });
    }
  }

  procs(): number[] {
    return readPids(this.path);
  }

  /** Pids in the cgroup and every sub-cgroup below it. */
  allPids(): number[] {
    if (!isDirectory(this.path)) return [];
    return subtree(this.path).flatMap((dir) => readPids(dir));
  }

  /** Whether `file` exists in the directory. */
  has(file: string): boolean {
    return existsSync(join(this.path, file));
  }

  killAll(signal: number): void {
    if (!isDirectory(this.path)) return;
    // cgroup.kill (Linux 5.14) kills the whole subtree atomically, including
    // processes forked while we would be iterating cgroup.procs.
    if (signal === SIGKILL && existsSync(join(this.path, 'cgroup.kill'))) {
      this.write('cgroup.kill', '1');
      return;
    }
    this.signalEach(signal);
  }

  /** `signal` to each pid of the subtree, read now (freeze first so none forks meanwhile). */
  signalEach(signal: number): void {
    if (!isDirectory(this.path)) return;
    for (const dir of subtree(this.path)) {
      for (const pid of readPids(dir)) {
        try {
          process.kill(pid, signal);
        } catch (err) {
          if (errnoCode(err) === 'ESRCH') continue; // exited since cgroup.procs was read
          throw new CgroupError(dir, `cannot send signal ${signal} to pid ${pid} in cgroup ${dir}: ${errnoCode(err)}`, {
            cause: err,
          });
        }
      }
    }
  }

  async freeze(timeoutMs = DEFAULT_FREEZE_TIMEOUT_MS): Promise<void> {
    this.write('cgroup.freeze', '1');
    // cgroup.freeze is the request; cgroup.events "frozen 1" is the kernel
    // saying every task has stopped (a task in uninterruptible sleep delays it).
    if (await pollUntil(() => this.#event('frozen') === '1', timeoutMs)) return;
    try {
      this.write('cgroup.freeze', '0');
    } catch {
      // Report the timeout; the thaw attempt was only a courtesy.
    }
    throw new CgroupError(this.path, `cgroup ${this.path} did not freeze within ${timeoutMs} ms`);
  }

  async thaw(timeoutMs = DEFAULT_FREEZE_TIMEOUT_MS): Promise<void> {
    this.write('cgroup.freeze', '0');
    if (await pollUntil(() => this.#event('frozen') !== '1', timeoutMs)) return;
    throw new CgroupError(this.path, `cgroup ${this.path} did not thaw within ${timeoutMs} ms`);
  }

  isFrozen(): boolean {
    return this.#event('frozen') === '1';
  }

  waitEmpty(timeoutMs: number): Promise<boolean> {
    return pollUntil(() => isEmpty(this.path), timeoutMs);
  }

  async remove(timeoutMs = DEFAULT_REMOVE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const dir of this.#removable()) {
      if (dir === this.path) {
        await removeTree(dir, deadline);
      } else {
        removeParentIfEmpty(dir);
      }
      this.#created = this.#created.filter((d) => d !== dir);
    }
  }

  // One key of cgroup.events; undefined when the file or the cgroup is gone.
  #event(key: string): string | undefined {
    try {
      return parseFlatKeyed(readFileSync(join(this.path, 'cgroup.events'), 'utf8')).get(key);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw new CgroupError(this.path, `cannot read ${join(this.path, 'cgroup.events')}: ${errnoCode(err)}`, {
        cause: err,
      });
    }
  }
}

export function readPids(dir: string): number[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw new CgroupError(dir, `cannot read ${join(dir, 'cgroup.procs')}: ${errnoCode(err)}`, { cause: err });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** `dir` and every sub-cgroup below it, parents first. */
function subtree(dir: string): string[] {
  const dirs = [dir];
  for (let i = 0; i < dirs.length; i++) {
    const current = dirs[i] as string;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // removed while we walked
      throw new CgroupError(current, `cannot list cgroup ${current}: ${errnoCode(err)}`, { cause: err });
    }
    for (const e of entries) if (e.isDirectory()) dirs.push(join(current, e.name));
  }
  return dirs;
}

// "populated 0" in cgroup.events covers the whole subtree. Without the file
// (a cgroup that is gone) there is nothing left to wait for.
function isEmpty(dir: string): boolean {
  try {
    return parseFlatKeyed(readFileSync(join(dir, 'cgroup.events'), 'utf8')).get('populated') !== '1';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return readPids(dir).length === 0;
    throw new CgroupError(dir, `cannot read ${join(dir, 'cgroup.events')}: ${errnoCode(err)}`, { cause: err });
  }
}

/**
 * rmdir the container's cgroup and any sub-cgroups the container made inside
 * it (runc's RemovePath does the same). EBUSY means processes are still
 * exiting (a killed task leaves the cgroup only once fully reaped): wait for
 * "populated 0" and retry until the deadline.
 */
async function removeTree(dir: string, deadline: number): Promise<void> {
  for (const sub of subtree(dir).slice(1).reverse()) await rmdirWhenEmpty(sub, deadline);
  await rmdirWhenEmpty(dir, deadline);
}

async function rmdirWhenEmpty(dir: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() >= deadline) {
        throw new CgroupError(dir, `cannot remove cgroup ${dir}: ${code}${code === 'EBUSY' ? ' (processes still in it)' : ''}`, {
          cause: err,
        });
      }
    }
    await pollUntil(() => isEmpty(dir), Math.max(1, deadline - Date.now()));
    // Even once empty, rmdir can race the last task's exit: one more short pause.
    await sleep(5);
  }
}

// A missing parent of a cgroupsPath, made by this container's create, may
// hold another container's cgroup by now: then rmdir fails with EBUSY (or
// ENOTEMPTY) and it simply stays. A caller without the right to remove it
// (a rootless user under root's parent) leaves it too: it is not theirs.
function removeParentIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'EBUSY' || code === 'ENOTEMPTY' || code === 'EACCES' || code === 'EPERM') return;
    throw new CgroupError(dir, `cannot remove cgroup ${dir}: ${code}`, { cause: err });
  }
}
