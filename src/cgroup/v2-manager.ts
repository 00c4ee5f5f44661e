// The container's cgroup on a unified (cgroup v2 only) host: one directory.
// enableControllers() and applyV2() are shared with the v1 manager, which
// uses them for the cgroup2 directory of a hybrid host.
import { existsSync, readFileSync } from 'node:fs';
import { SIGKILL } from '../kernel/signals.ts';
import { dirname, join } from 'node:path';
import type { LinuxResources } from '../spec/types.ts';
import { CgroupError } from '../errors.ts';
import { applyWrites, writeCgroupFile } from './apply-writes.ts';
import { CgroupDir } from './cgroup-dir.ts';
import { resourceError, type CgroupProbe } from './cgroup-write.ts';
import type { CgroupDirs, CgroupManager, JoinFd, V2Record } from './manager.ts';
import { v2Writes } from './v2-files.ts';

function words(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Every controller this kernel has, in whichever hierarchy (/proc/cgroups); empty when unreadable (then no guess is made). */
function kernelControllers(): { has(c: string): boolean } {
  let text: string;
  try {
    text = readFileSync('/proc/cgroups', 'utf8');
  } catch {
    return { has: () => true };
  }
  const names = new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/\s+/)[0]!),
  );
  // /proc/cgroups lists v1-capable controllers; misc and the v2-only ones may be missing from older kernels' list.
  for (const v2only of ['io', 'misc', 'cpu', 'rdma', 'dmem']) names.add(v2only);
  return names;
}

/**
 * Make `controller` available in `leaf` by enabling it in each ancestor's
 * cgroup.subtree_control, top down (a controller reaches a cgroup only
 * through its parent's subtree_control). The hierarchy's root is the
 * highest ancestor that still has cgroup.controllers. A controller the root
 * lacks (on a hybrid host: bound to a v1 hierarchy) is an error naming the
 * field that needs it.
 */
export function enableControllers(leaf: string, controller: string, pointer: string): void {
  if (controller === '' || words(join(leaf, 'cgroup.controllers')).includes(controller)) return;
  const ancestors: string[] = [];
  for (let dir = dirname(leaf); existsSync(join(dir, 'cgroup.controllers')); dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  const top = ancestors[0];
  if (!kernelControllers().has(controller)) {
    throw resourceError(pointer, `the kernel has no cgroup controller named ${controller}: no such cgroup v2 interface file`);
  }
  if (top === undefined || !words(join(top, 'cgroup.controllers')).includes(controller)) {
    const has = top === undefined ? [] : words(join(top, 'cgroup.controllers'));
    throw resourceError(
      pointer,
      `the ${controller} controller is not available in the cgroup v2 hierarchy${top ? ` (${top}/cgroup.controllers: ${has.join(' ') || 'none'})` : ''}`,
    );
  }
  for (const dir of ancestors) {
    if (words(join(dir, 'cgroup.subtree_control')).includes(controller)) continue;
    writeCgroupFile(dir, { controller, file: 'cgroup.subtree_control', value: `+${controller}`, pointer });
  }
}

/**
 * Apply `resources` to the cgroup2 directory `dir`: enable the controllers
 * the fields need (in the parents' cgroup.subtree_control), then convert
 * with a read-only probe and write. Enabling comes first because a
 * controller's files appear in `dir` only once its parent enables it (the
 * probe asks whether memory.swap.max, io.bfq.weight, hugetlb.*.rsvd.max
 * exist). Which controllers a field needs does not depend on the probe's
 * answers, so a first conversion with a probe that finds every file names
 * them; a field the host cannot take is refused before anything is enabled.
 */
export function applyV2(dir: string, resources: LinuxResources[]): void {
  const everyFile: CgroupProbe = { exists: () => true, read: () => undefined };
  const enabled = new Set<string>();
  for (const w of resources.flatMap((r) => v2Writes(r, everyFile))) {
    if (enabled.has(w.controller)) continue;
    enableControllers(dir, w.controller, w.pointer);
    enabled.add(w.controller);
  }
  applyWrites(
    resources.flatMap((r) => v2Writes(r, v2Probe(dir))),
    () => dir,
  );
}

/** What the converters may ask about `dir`: read-only (controllers are enabled by applyV2 before it asks). */
export function v2Probe(dir: string): CgroupProbe {
  return {
    exists: (_controller, file) => existsSync(join(dir, file)),
    read: (_controller, file) => {
      try {
        return readFileSync(join(dir, file), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
  };
}

/** Warnings for fields that are accepted and ignored, as runc ignores them. */
export function ignoredFieldWarnings(r: LinuxResources): string[] {
  const out: string[] = [];
  if (r.memory?.kernel !== undefined && r.memory.kernel !== 0) {
    out.push('/linux/resources/memory/kernel: kernel memory limits are deprecated and ignored (as runc does; the kernel no longer accepts them)');
  }
  return out;
}

export class V2Manager implements CgroupManager {
  readonly kind = 'v2' as const;
  readonly dir: CgroupDir;

  constructor(path: string, created: string[] = [], sharedParent?: string) {
    this.dir = new CgroupDir(path, created, sharedParent);
  }

  /** A manager for a directory not made yet; `shared`: its parent is tsrun's default parent (removed once empty). */
  static fresh(path: string, shared = false): V2Manager {
    return new V2Manager(path, [], shared ? dirname(path) : undefined);
  }

  static fromRecord(rec: unknown): V2Manager {
    const d = CgroupDir.fromRecord(rec).toRecord();
    return new V2Manager(d.path, d.created, d.sharedParent);
  }

  toRecord(): V2Record {
    return { kind: 'v2', ...this.dir.toRecord() };
  }

  dirs(): CgroupDirs {
    return { v2: this.dir.path, v1: {} };
  }

  create(): void {
    this.dir.create();
  }

  apply(resources: LinuxResources): string[] {
    const { devices: _devices, ...rest } = resources;
    applyV2(this.dir.path, [rest]);
    return ignoredFieldWarnings(resources);
  }

  v2DirFd(): number {
    return this.dir.openDirFd();
  }

  joinFds(): JoinFd[] {
    return [];
  }

  procs(): number[] {
    return this.dir.allPids();
  }

  async killAll(signal: number): Promise<void> {
    if (signal === SIGKILL && this.dir.has('cgroup.kill')) {
      // Kills frozen tasks too, and every task forked meanwhile.
      this.dir.write('cgroup.kill', '1');
      return;
    }
    await freezeSignalThaw(this, signal, (s) => this.dir.signalEach(s));
  }

  freeze(): Promise<void> {
    return this.dir.freeze();
  }

  thaw(): Promise<void> {
    return this.dir.thaw();
  }

  isFrozen(): boolean {
    return this.dir.isFrozen();
  }

  waitEmpty(timeoutMs: number): Promise<boolean> {
    return this.dir.waitEmpty(timeoutMs);
  }

  remove(): Promise<void> {
    return this.dir.remove();
  }
}

/**
 * Signal every process with none able to fork past the signal: freeze,
 * signal each pid, thaw. A container that was paused stays paused, except
 * after SIGKILL (runc's signalAllProcesses, and its thaw for SIGKILL).
 * Without any freezer the pids are signalled as they are.
 */
export async function freezeSignalThaw(
  m: Pick<CgroupManager, 'freeze' | 'thaw' | 'isFrozen'>,
  signal: number,
  signalEach: (signal: number) => void,
): Promise<void> {
  const wasFrozen = m.isFrozen();
  if (!wasFrozen) {
    try {
      await m.freeze();
    } catch (err) {
      if (!(err instanceof CgroupError)) throw err;
      signalEach(signal); // no usable freezer: best effort, as runc without one
      return;
    }
  }
  try {
    signalEach(signal);
  } finally {
    if (!wasFrozen || signal === SIGKILL) await m.thaw();
  }
}
