// The container's cgroups on a legacy or hybrid host: one directory in each
// mounted v1 controller hierarchy (controllers co-mounted, like
// "cpu,cpuacct" on most distributions, share one), plus on a hybrid host
// its cgroup2 directory. A limit goes to the v1 controller when the host
// mounts it there, else to cgroup v2 when v2 has it, else it is an error
// naming the field: never dropped.
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { SIGKILL } from '../kernel/signals.ts';
import { dirname, join } from 'node:path';
import type { LinuxResources } from '../spec/types.ts';
import { CgroupError } from '../errors.ts';
import { applyWrites, writeCgroupFile } from './apply-writes.ts';
import { CgroupDir, isDirectory, pollUntil, type CgroupDirRecord } from './cgroup-dir.ts';
import { RESOURCES, resourceError, type CgroupProbe, type CgroupWrite } from './cgroup-write.ts';
import type { CgroupDirs, CgroupManager, JoinFd, V1Record } from './manager.ts';
import { v1DeviceWrites, v1Writes } from './v1-files.ts';
import { applyV2, freezeSignalThaw, ignoredFieldWarnings } from './v2-manager.ts';

const FREEZE_TIMEOUT_MS = 5000;

/** The v1 controllers tsrun makes a directory in when the host mounts them. */
export const V1_CONTROLLERS = new Set([
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
]);

/** One group of fields and the v1 controller that applies it. */
interface Part {
  controller: string;
  pointer: string;
  res: LinuxResources;
}

function hasValue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.values(v).some(hasValue);
  return true;
}

/** linux.resources split by the controller each field belongs to. */
function parts(r: LinuxResources): Part[] {
  const { cpus, mems, ...cpu } = r.cpu ?? {};
  const cpuset = { ...(cpus !== undefined ? { cpus } : {}), ...(mems !== undefined ? { mems } : {}) };
  const { classID, priorities } = r.network ?? {};
  const all: Part[] = [
    { controller: 'memory', pointer: `${RESOURCES}/memory`, res: r.memory ? { memory: r.memory } : {} },
    { controller: 'cpu', pointer: `${RESOURCES}/cpu`, res: { cpu } },
    { controller: 'cpuset', pointer: `${RESOURCES}/cpu/${cpus !== undefined ? 'cpus' : 'mems'}`, res: { cpu: cpuset } },
    { controller: 'pids', pointer: `${RESOURCES}/pids`, res: r.pids ? { pids: r.pids } : {} },
    { controller: 'blkio', pointer: `${RESOURCES}/blockIO`, res: r.blockIO ? { blockIO: r.blockIO } : {} },
    { controller: 'hugetlb', pointer: `${RESOURCES}/hugepageLimits`, res: r.hugepageLimits ? { hugepageLimits: r.hugepageLimits } : {} },
    { controller: 'net_cls', pointer: `${RESOURCES}/network/classID`, res: classID !== undefined ? { network: { classID } } : {} },
    { controller: 'net_prio', pointer: `${RESOURCES}/network/priorities`, res: priorities ? { network: { priorities } } : {} },
    { controller: 'rdma', pointer: `${RESOURCES}/rdma`, res: r.rdma ? { rdma: r.rdma } : {} },
  ];
  return all.filter((p) => hasValue(p.res));
}

function readTrim(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export class V1Manager implements CgroupManager {
  readonly kind = 'v1' as const;
  readonly #controllers: Record<string, string>;
  readonly #dirs: Map<string, CgroupDir>;
  readonly #v2: CgroupDir | undefined;

  private constructor(controllers: Record<string, string>, dirs: CgroupDir[], v2: CgroupDir | undefined) {
    this.#controllers = { ...controllers };
    this.#dirs = new Map(dirs.map((d) => [d.path, d]));
    this.#v2 = v2;
  }

  /**
   * A manager for directories not made yet: controller → directory, and the
   * hybrid host's cgroup2 directory. `shared`: each directory's parent is
   * tsrun's default parent (removed once empty).
   */
  static fresh(controllers: Record<string, string>, v2Path?: string, shared = false): V1Manager {
    const paths = [...new Set(Object.values(controllers))];
    const dir = (p: string) => new CgroupDir(p, [], shared ? dirname(p) : undefined);
    return new V1Manager(controllers, paths.map(dir), v2Path !== undefined ? dir(v2Path) : undefined);
  }

  static fromRecord(rec: unknown): V1Manager {
    const r = rec as Partial<V1Record>;
    const controllers = r.controllers;
    if (typeof controllers !== 'object' || controllers === null || !Array.isArray(r.dirs)) {
      throw new CgroupError('', 'cgroup v1 record has no controllers or dirs');
    }
    const dirs = r.dirs.map((d) => CgroupDir.fromRecord(d));
    const known = new Set(dirs.map((d) => d.path));
    for (const [controller, path] of Object.entries(controllers)) {
      if (typeof path !== 'string' || !known.has(path))
        throw new CgroupError(String(path), `cgroup v1 record: the ${controller} directory is not one of its dirs`);
    }
    return new V1Manager(controllers, dirs, r.v2 !== undefined ? CgroupDir.fromRecord(r.v2) : undefined);
  }

  toRecord(): V1Record {
    const rec: V1Record = {
      kind: 'v1',
      controllers: { ...this.#controllers },
      dirs: [...this.#dirs.values()].map((d): CgroupDirRecord => d.toRecord()),
    };
    if (this.#v2) rec.v2 = this.#v2.toRecord();
    return rec;
  }

  dirs(): CgroupDirs {
    return { ...(this.#v2 ? { v2: this.#v2.path } : {}), v1: { ...this.#controllers } };
  }

  #dir(controller: string): CgroupDir | undefined {
    const path = this.#controllers[controller];
    return path === undefined ? undefined : this.#dirs.get(path);
  }

  /** All hierarchies or none: a failure in one takes back the others (never touching a cgroup that was there). */
  create(): void {
    const all = [...this.#dirs.values(), ...(this.#v2 ? [this.#v2] : [])];
    try {
      for (const dir of all) dir.create();
      this.#fillCpuset();
    } catch (err) {
      for (const dir of all) dir.undoCreate();
      throw err;
    }
  }

  /**
   * A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems,
   * and the kernel refuses to move a task into it (ENOSPC). Copy the
   * parent's values down into each directory tsrun created, top down, as
   * runc's fs/cpuset.go does; a limit in the config overwrites them later.
   */
  #fillCpuset(): void {
    const dir = this.#dir('cpuset');
    if (!dir) return;
    const created = [...dir.toRecord().created].sort((a, b) => a.length - b.length);
    for (const path of created) {
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        if (readTrim(join(path, file)) !== '') continue;
        const parent = readTrim(join(dirname(path), file)) ?? '';
        writeCgroupFile(path, { controller: 'cpuset', file, value: parent, pointer: `${RESOURCES}/cpu/${file === 'cpuset.cpus' ? 'cpus' : 'mems'}` });
      }
    }
  }

  apply(resources: LinuxResources): string[] {
    const v1: CgroupWrite[] = [];
    const v2: LinuxResources[] = [];
    for (const part of parts(resources)) {
      if (this.#controllers[part.controller] !== undefined) v1.push(...v1Writes(part.res, this.#probe()));
      else if (this.#v2) v2.push(part.res);
      else
        throw resourceError(
          part.pointer,
          `the ${part.controller} controller is not mounted on this host (no cgroup v1 hierarchy has it and there is no cgroup v2)`,
        );
    }
    if (resources.unified && Object.keys(resources.unified).length > 0) {
      if (!this.#v2) throw resourceError(`${RESOURCES}/unified`, 'the host has no cgroup v2 hierarchy for unified keys');
      v2.push({ unified: resources.unified });
    }
    // Without cgroup v2 there is no eBPF device filter: the v1 lists do it.
    if (!this.#v2 && resources.devices) {
      if (!this.#dir('devices'))
        throw resourceError(`${RESOURCES}/devices`, 'the host has neither cgroup v2 (eBPF device filter) nor the v1 devices controller');
      v1.push(...v1DeviceWrites(resources.devices));
    }
    this.#rtBudgetForParents(v1);
    applyWrites(v1, (w) => {
      const dir = this.#dir(w.controller);
      if (!dir) throw resourceError(w.pointer, `the ${w.controller} controller is not mounted on this host`);
      return dir.path;
    });
    if (this.#v2 && v2.length > 0) applyV2(this.#v2.path, v2);
    return ignoredFieldWarnings(resources);
  }

  /**
   * With real-time group scheduling a cgroup's cpu.rt_runtime_us can only
   * take what its parent has, and a new v1 cpu cgroup starts with 0: give
   * the parents tsrun created (e.g. <cpu>/tsrun) at least the runtime the
   * container asks for, top down. Cgroups tsrun did not create are never
   * written; their budget is the host's to give.
   */
  #rtBudgetForParents(writes: CgroupWrite[]): void {
    const rt = writes.find((w) => w.controller === 'cpu' && w.file === 'cpu.rt_runtime_us');
    const cpu = this.#dir('cpu');
    if (!rt || !cpu) return;
    const parents = new Set(cpu.toRecord().created.filter((d) => d !== cpu.path));
    // tsrun's default parent (<hierarchy root>/tsrun) is tsrun's own even when
    // another container made it.
    if (cpu.sharedParent !== undefined) parents.add(cpu.sharedParent);
    for (const dir of [...parents].sort((a, b) => a.length - b.length)) {
      if (Number(readTrim(join(dir, 'cpu.rt_runtime_us')) ?? 0) >= Number(rt.value)) continue;
      writeCgroupFile(dir, { ...rt, file: 'cpu.rt_runtime_us' });
    }
  }

  #probe(): CgroupProbe {
    return {
      exists: (controller, file) => {
        const dir = this.#dir(controller);
        return dir !== undefined && existsSync(join(dir.path, file));
      },
      read: (controller, file) => {
        const dir = this.#dir(controller);
        return dir === undefined ? undefined : readTrim(join(dir.path, file));
      },
    };
  }

  v2DirFd(): number | undefined {
    return this.#v2?.openDirFd();
  }

  joinFds(): JoinFd[] {
    const fds: JoinFd[] = [];
    try {
      for (const dir of this.#dirs.values()) {
        const file = join(dir.path, 'cgroup.procs');
        try {
          fds.push({ fd: openSync(file, constants.O_WRONLY), file });
        } catch (err) {
          throw new CgroupError(file, `cannot open ${file} to join the container's cgroup`, { cause: err });
        }
      }
    } catch (err) {
      for (const { fd } of fds) closeSync(fd);
      throw err;
    }
    return fds;
  }

  procs(): number[] {
    if (this.#v2 && isDirectory(this.#v2.path)) return this.#v2.allPids();
    const pids = new Set<number>();
    for (const dir of this.#dirs.values()) for (const pid of dir.allPids()) pids.add(pid);
    return [...pids];
  }

  async killAll(signal: number): Promise<void> {
    if (signal === SIGKILL && this.#v2?.has('cgroup.kill')) {
      const wasFrozen = this.isFrozen();
      this.#v2.write('cgroup.kill', '1');
      // A task frozen by the v1 freezer handles its SIGKILL only once thawed.
      if (wasFrozen) await this.thaw();
      return;
    }
    await freezeSignalThaw(this, signal, (s) => {
      for (const pid of this.procs()) {
        try {
          process.kill(pid, s);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new CgroupError(String(pid), `cannot send signal ${s} to pid ${pid}`, { cause: err });
        }
      }
    });
  }

  async freeze(): Promise<void> {
    const freezer = this.#dir('freezer');
    if (!freezer) {
      if (this.#v2) return this.#v2.freeze();
      throw new CgroupError('', 'the host has no freezer (neither the v1 freezer controller nor cgroup v2)');
    }
    // FREEZING while tasks are still being stopped; FROZEN once all are.
    freezer.write('freezer.state', 'FROZEN');
    if (await pollUntil(() => readTrim(join(freezer.path, 'freezer.state')) === 'FROZEN', FREEZE_TIMEOUT_MS)) return;
    freezer.write('freezer.state', 'THAWED');
    throw new CgroupError(freezer.path, `cgroup ${freezer.path} did not freeze within ${FREEZE_TIMEOUT_MS} ms`);
  }

  async thaw(): Promise<void> {
    const freezer = this.#dir('freezer');
    if (!freezer) {
      if (this.#v2) return this.#v2.thaw();
      throw new CgroupError('', 'the host has no freezer (neither the v1 freezer controller nor cgroup v2)');
    }
    freezer.write('freezer.state', 'THAWED');
    if (await pollUntil(() => readTrim(join(freezer.path, 'freezer.state')) === 'THAWED', FREEZE_TIMEOUT_MS)) return;
    throw new CgroupError(freezer.path, `cgroup ${freezer.path} did not thaw within ${FREEZE_TIMEOUT_MS} ms`);
  }

  isFrozen(): boolean {
    const freezer = this.#dir('freezer');
    if (freezer) return readTrim(join(freezer.path, 'freezer.state')) === 'FROZEN';
    return this.#v2?.isFrozen() ?? false;
  }

  waitEmpty(timeoutMs: number): Promise<boolean> {
    return pollUntil(() => this.procs().length === 0, timeoutMs);
  }

  async remove(): Promise<void> {
    let first: unknown;
    for (const dir of [...this.#dirs.values(), ...(this.#v2 ? [this.#v2] : [])]) {
      try {
        await dir.remove();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}
