// create: validate → plan → state dir → cgroup → tsrun-init → id maps →
// hooks → state.json. Reads top to bottom as the create sequence; every
// side effect registers its undo, so a failure leaves nothing behind.
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deviceFilterProgram, withDefaultDeviceRules } from '../cgroup/device-filter.ts';
import { newManager } from '../cgroup/manager.ts';
import { findCgroupLayout } from '../host/cgroup-layout.ts';
import { mountHolding } from '../host/mountinfo.ts';
import { HookError, InitError, SpecError, StateError, UsageError } from '../errors.ts';
import { runHooks, runHooksWarning } from '../hooks/run-hooks.ts';
import { InitChannel } from '../launch/init-channel.ts';
import { seccompProgram } from '../launch/seccomp-program.ts';
import { spawnInit } from '../launch/spawn-init.ts';
import { MSG } from '../launch/wire.ts';
import { native } from '../native/addon.ts';
import { plan } from '../plan/plan.ts';
import { cgroupV1Views } from '../plan/cgroup-v1-mount.ts';
import { checkContainerId } from '../spec/container-id.ts';
import { readHostLsm } from '../host/lsm.ts';
import { specLsmProblems } from '../spec/lsm-checks.ts';
import { loadSpec } from '../spec/load.ts';
import { resolveRootfs } from '../spec/rootfs.ts';
import type { Spec } from '../spec/types.ts';
import { isoTime } from '../state/iso-time.ts';
import { lockContainerDir } from '../state/lock.ts';
import { execFifo, netnsFile, seccompCacheDir } from '../state/paths.ts';
import { writeLifecycle } from '../state/lifecycle-file.ts';
import { writePidFile } from '../state/pid-file.ts';
import { readProcStat } from '../state/proc-stat.ts';
import { createContainerDir, removeContainerDir, writeState, type ContainerState } from '../state/store.ts';
import { detachHostMounts, mountIdsAt } from './host-mounts.ts';
import { checkNetDevices, moveNetDevicesIn } from './net-devices.ts';
import { containerHookState, ociState } from './oci-state.ts';
import { connectListener, seccompListenerState } from './seccomp-state.ts';
import { plannedCgroupRecord } from './planned-cgroup-record.ts';
import { Rollback } from './rollback.ts';
import { checkRootlessSpec, rootlessCgroupManager, rootlessCgroups, unprivileged, writeIdMaps } from './rootless.ts';
import { NoCgroupManager } from '../cgroup/no-cgroup-manager.ts';
import { prepareUserStateRoot } from '../state/state-root.ts';
import type { RootlessFlag } from '../cli/global-flags.ts';
import { SPEC_VERSION } from '../version.ts';

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  /** An already connected socket to send the pty master on (run's own terminal). */
  consoleFd?: number;
  /** The pty size when the config gives none (run's own terminal: the caller's size). */
  defaultConsoleSize?: { height: number; width: number };
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  warn: (msg: string) => void;
  /** Global --rootless (runc's): tolerate having no cgroup. Default auto. */
  rootless?: RootlessFlag;
  /** `root` is the default one (not --root): a user's may be created here. */
  defaultRoot?: boolean;
}

export interface Created {
  state: ContainerState;
  /** process.terminal: the pty master went to the console socket. */
  terminal: boolean;
}

const O_PATH = 0o10000000;

// mount_setattr(2): EINVAL where the filesystem has no id-mapping support
// (FS_ALLOW_IDMAP), EPERM where the mount or caller may not be mapped.
function idmapHint(code: string | undefined): string {
  if (code === 'EINVAL') return 'the filesystem or kernel does not support id-mapped mounts';
  if (code === 'EPERM') return 'the kernel refused to id-map this mount';
  if (code === 'ENOSYS') return 'this kernel has no mount_setattr';
  return 'id-mapped mount failed';
}

// Who made the container, for state.json and `list`; runc's "#uid" when
// the user database has no name for it.
function ownerName(): string {
  const uid = process.geteuid!();
  return native().userName(uid) ?? `#${uid}`;
}

export async function createContainer(opts: CreateOptions): Promise<Created> {
  const { root, id, warn } = opts;
  const idProblem = checkContainerId(id);
  if (idProblem) throw new StateError(id, 'invalid-id', `invalid container id ${JSON.stringify(id)}: ${idProblem}`);
  const bundle = resolve(opts.bundle);
  const spec = loadSpec(bundle);
  const configFile = `${bundle}/config.json`;
  if (spec.process?.terminal && !opts.consoleSocket && opts.consoleFd === undefined) {
    // runc's rule: a detached container cannot get a terminal nobody holds.
    throw new UsageError('process.terminal is true: give --console-socket, or run in the foreground, to receive the terminal');
  }
  const lsmHost = readHostLsm();
  const lsmProblems = specLsmProblems(spec, lsmHost);
  if (lsmProblems.length) throw new SpecError(configFile, lsmProblems);
  checkRootlessSpec(spec, configFile);
  const hostMountNs = !(spec.linux?.namespaces ?? []).some((ns) => ns.type === 'mount');
  // runc's rule too: moving the rootfs over "/" would replace the host's root.
  if (hostMountNs && opts.noPivot) throw new UsageError('--no-pivot needs a mount namespace: add {"type": "mount"} to /linux/namespaces');
  const rootfs = resolveRootfs(spec, bundle, configFile);
  const netDevices = checkNetDevices(configFile, spec.linux?.netDevices ?? {});
  if (spec.process?.terminal && !spec.process.consoleSize && opts.defaultConsoleSize) {
    spec.process.consoleSize = opts.defaultConsoleSize;
  }
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  // v1 or v2 is decided here, once, and kept in state.json.
  const layout = findCgroupLayout(mountinfo);
  const planned = newManager(layout, spec.linux?.cgroupsPath, id);
  const cgroup = rootlessCgroups(opts.rootless ?? 'auto') ? rootlessCgroupManager(planned, layout.v2) : planned;
  prepareUserStateRoot(root, opts.defaultRoot ?? false);
  const parent = mountHolding(rootfs, mountinfo);
  // Compiled (or taken from the cache under the state root) before anything exists.
  const seccomp = spec.linux?.seccomp ? seccompProgram(spec.linux.seccomp, configFile, seccompCacheDir(root)) : undefined;
  const launchPlan = plan({ ...spec, root: { ...spec.root, path: rootfs } } as Spec, {
    bundle,
    rootfsParentMount: parent.mountPoint,
    rootfsParentShared: parent.shared,
    noPivot: opts.noPivot,
    noNewKeyring: opts.noNewKeyring,
    preserveFds: opts.preserveFds,
    ...(seccomp ? { seccomp } : {}),
    containerId: id,
    lsmHost,
    ...(cgroup.dirs().v2 ? { cgroupDir: cgroup.dirs().v2 } : {}),
    ...(cgroup.kind === 'v1' ? { cgroupV1Views: cgroupV1Views(layout.v1, cgroup.dirs().v1) } : {}),
  });
  // What sat at the rootfs path before: only what create adds is detached.
  const keepMounts = hostMountNs ? mountIdsAt(rootfs, mountinfo) : [];

  const state: ContainerState = {
    ociVersion: SPEC_VERSION,
    id,
    pid: 0,
    bundle,
    rootfs,
    created: isoTime(Date.now()),
    owner: ownerName(),
    annotations: spec.annotations ?? {},
    initStartTime: 0,
    // What delete --force removes if create dies before the end: the
    // directories create() is about to make (cgroup.create() replaces it).
    cgroup: plannedCgroupRecord(cgroup.toRecord()),
    hooks: { poststart: spec.hooks?.poststart ?? [], poststop: spec.hooks?.poststop ?? [] },
    process: spec.process!,
    namespaces: spec.linux?.namespaces ?? [],
    ...(seccomp
      ? {
          seccomp: {
            flags: seccomp.flags,
            program: seccomp.program.toString('base64'),
            ...(seccomp.listener ? { listenerPath: spec.linux!.seccomp!.listenerPath! } : {}),
            ...(spec.linux?.seccomp?.listenerMetadata ? { listenerMetadata: spec.linux.seccomp.listenerMetadata } : {}),
          },
        }
      : {}),
    resources: spec.linux?.resources ?? {},
    ...(hostMountNs ? { hostMounts: { path: rootfs, keep: keepMounts } } : {}),
  };
  const rollback = new Rollback();
  const parentFds: number[] = [];
  const closeParentFds = () => {
    for (const fd of parentFds.splice(0)) closeSync(fd);
  };
  try {
    // 1. The state directory: exclusive, so one of two creates of an id wins.
    const dir = createContainerDir(root, id);
    rollback.add(`remove ${dir}`, () => removeContainerDir(root, id));
    const unlock = lockContainerDir(dir);
    rollback.add('unlock', unlock);
    native().mkfifo(execFifo(dir), 0o622);
    // A provisional record (pid 0: stopped) before anything outside the
    // directory exists: if tsrun is killed from here on, `delete --force`
    // finds the cgroups and host mounts to remove.
    writeState(dir, state);

    // 2. The cgroups, with every limit and the device filter, before the
    // init exists. create() is all-or-nothing across hierarchies, and
    // refuses a cgroup that already has processes: only then is the
    // cgroup ours to kill in and remove.
    cgroup.create();
    state.cgroup = cgroup.toRecord();
    rollback.add('remove cgroups', async () => {
      await cgroup.killAll(9);
      await cgroup.waitEmpty(5000);
      await cgroup.remove();
    });
    const { devices: _configDevices, ...limits } = spec.linux?.resources ?? {};
    for (const w of cgroup.apply(limits)) warn(w);
    const cgroupFd = cgroup.v2DirFd() ?? -1;
    // Device rules need CAP_SYS_ADMIN over the cgroup (BPF, devices.deny):
    // skipped unprivileged as runc does; a user namespace makes no nodes.
    if (unprivileged()) {
      if (cgroupFd >= 0) parentFds.push(cgroupFd);
    } else if (cgroupFd >= 0) {
      parentFds.push(cgroupFd);
      native().attachDeviceFilter(cgroupFd, deviceFilterProgram(withDefaultDeviceRules(spec.linux?.resources?.devices)));
    } else {
      // No cgroup v2 (a legacy host): the v1 devices lists instead.
      cgroup.apply({ devices: withDefaultDeviceRules(spec.linux?.resources?.devices) });
    }
    const joins = cgroup.joinFds();
    parentFds.push(...joins.map((j) => j.fd));

    // 3. tsrun-init, started inside the cgroup, with its fd table.
    const [syncParent, syncChild] = native().seqpacketPair();
    parentFds.push(syncChild);
    const fifoFd = openSync(execFifo(dir), O_PATH);
    parentFds.push(fifoFd);
    const consoleFd = opts.consoleFd ?? (opts.consoleSocket ? native().connectUnix(opts.consoleSocket) : -1);
    if (consoleFd >= 0 && opts.consoleFd === undefined) parentFds.push(consoleFd);
    const nsFds = launchPlan.namespaces
      .filter((ns) => ns.joinPath)
      .map((ns) => {
        const fd = openSync(ns.joinPath!, constants.O_RDONLY);
        parentFds.push(fd);
        return fd;
      });
    if (hostMountNs) rollback.add(`detach the mounts under ${rootfs}`, () => detachHostMounts(rootfs, keepMounts));
    const seccompListener = seccomp?.listener ? connectListener(spec.linux!.seccomp!.listenerPath!, configFile) : -1;
    if (seccompListener >= 0) parentFds.push(seccompListener);
    // Id-mapped binds are made here, with the host's CAP_SYS_ADMIN over
    // their filesystem, which the init lacks inside a user namespace.
    const mountTrees = launchPlan.mounts.flatMap((m) => {
      if (!m.idmap) return [];
      let fd: number;
      try {
        fd = native().idmappedTree(
          m.source,
          m.idmap.cloneRecursive,
          m.idmap.recursive,
          m.idmap.attrSet,
          m.idmap.attrClear,
          m.idmap.uidMappings,
          m.idmap.gidMappings,
        );
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new SpecError(configFile, [{ pointer: m.pointer, reason: `cannot id-map ${m.source}: ${e.syscall} ${e.code ?? ''} (${idmapHint(e.code)})` }], {
          cause: err,
        });
      }
      parentFds.push(fd);
      return [fd];
    });
    const init = spawnInit(
      launchPlan,
      { syncChild, fifo: fifoFd, console: consoleFd, namespaces: nsFds, seccompListener, mountTrees },
      { v2DirFd: cgroupFd, joinFds: joins.map((j) => j.fd), joinFiles: joins.map((j) => j.file) },
    );
    closeParentFds();
    let initReaped = false;
    rollback.add(`kill tsrun-init ${init.pid}`, () => {
      try {
        native().pidfdSendSignal(init.pidfd, 9);
      } catch {
        // already gone
      }
      if (!initReaped) native().waitPid(init.pid);
      closeSync(init.pidfd);
    });

    // 4. The conversation with tsrun-init (csrc/include/wire.h).
    const channel = new InitChannel(syncParent);
    rollback.add('close sync socket', () => closeSync(syncParent));
    // The messages the init may send before CREATED, in wire.h's order; anything else is a protocol error.
    const expected = [MSG.READY_IDMAP, MSG.PID, MSG.READY_HOOKS, MSG.READY_SECCOMP, MSG.CREATED];
    for (;;) {
      const msg = channel.receive(expected);
      if (msg.type === MSG.READY_IDMAP) {
        writeIdMaps(init.pid, spec, { uid: launchPlan.uidMappings, gid: launchPlan.gidMappings }, mountinfo, configFile);
        channel.send(MSG.IDMAP_DONE);
      } else if (msg.type === MSG.PID) {
        state.pid = msg.value;
        if (state.pid !== init.pid) {
          native().waitPid(init.pid);
          initReaped = true;
        }
      } else if (msg.type === MSG.READY_HOOKS) {
        // The network namespace exists: hand over the devices before any hook sees it.
        if (netDevices.length) {
          const file = netnsFile(dir);
          state.netDevices = { devices: netDevices, netns: file };
          // Recorded first: delete --force after a killed create moves back what got in.
          writeState(dir, state);
          moveNetDevicesIn(state.pid, netDevices, file, (what, fn) => rollback.add(what, fn));
        }
        // runtime.md: "creating" is step 2 of the lifecycle, the runtime
        // environment being built; "created" is "after step 2", where the
        // prestart, createRuntime, createContainer (steps 3-5) and
        // startContainer (step 7) hooks run. So every hook before the
        // program runs sees "created" (runc passes "creating" to the first three).
        const stateJson = JSON.stringify(ociState(state, 'created'));
        runHooks('prestart', spec.hooks?.prestart, stateJson);
        runHooks('createRuntime', spec.hooks?.createRuntime, stateJson);
        channel.send(MSG.HOOKS_DONE, containerHookState(state, spec, configFile));
      } else if (msg.type === MSG.READY_SECCOMP) {
        const listenerState = seccompListenerState(state, 'creating', spec.linux?.seccomp?.listenerMetadata);
        channel.send(MSG.SECCOMP_STATE, Buffer.from(JSON.stringify(listenerState)));
      } else if (msg.type === MSG.CREATED) {
        break;
      }
    }

    // 5. The container exists: record it and leave the init waiting.
    const stat = readProcStat(state.pid);
    if (!stat) throw new StateError(id, 'wrong-status', `container process ${state.pid} exited during create`, { status: 'stopped', wanted: ['created'] });
    state.initStartTime = stat.startTime;
    if (cgroup instanceof NoCgroupManager) {
      cgroup.track(
        state.pid,
        stat.startTime,
        (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'pid' && !ns.path),
      );
      state.cgroup = cgroup.toRecord();
    }
    writeState(dir, state);
    writeLifecycle(dir, state);
    if (opts.pidFile) writePidFile(opts.pidFile, state.pid);
    // Only now may the init outlive us (it exits on EOF before this).
    channel.send(MSG.RECORDED);
    closeSync(syncParent);
    closeSync(init.pidfd);
    unlock();
    rollback.clear();
    return { state, terminal: spec.process?.terminal ?? false };
  } catch (err) {
    closeParentFds();
    await rollback.run(warn);
    // runtime.md: a failing prestart, createRuntime or createContainer
    // hook stops the container and the lifecycle goes on at delete, whose
    // poststop hooks still run.
    if (err instanceof HookError || (err instanceof InitError && err.step === 'hooks')) {
      const stopped = JSON.stringify({ ociVersion: SPEC_VERSION, id, pid: 0, status: 'stopped', bundle, annotations: spec.annotations ?? {} });
      runHooksWarning('poststop', spec.hooks?.poststop, stopped, warn);
    }
    throw err;
  }
}
