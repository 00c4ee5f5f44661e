// exec: a new process in a running container: tsrun-init joins the
// container's namespaces and cgroup, drops to the process's identity and
// execs. In the foreground tsrun waits for it and returns its status.
import { closeSync, constants, openSync } from 'node:fs';
import { SpecError, StateError } from '../errors.ts';
import { InitChannel } from '../launch/init-channel.ts';
import { spawnInit } from '../launch/spawn-init.ts';
import { MSG } from '../launch/wire.ts';
import { native } from '../native/addon.ts';
import { planExec } from '../plan/exec-plan.ts';
import { readHostLsm } from '../host/lsm.ts';
import { processLsmProblems } from '../spec/lsm-checks.ts';
import type { Process } from '../spec/types.ts';
import { loadContainer } from './container.ts';
import { connectListener, seccompListenerState } from './seccomp-state.ts';
import { stateFile } from '../state/paths.ts';
import { ALLOWED, allows } from '../state/operations.ts';

export interface ExecOptions {
  root: string;
  id: string;
  process: Process;
  consoleSocket?: string;
  preserveFds: number;
}

/** Starts the process; returns its host pid once it is about to exec. */
export function execProcess(opts: ExecOptions): number {
  const c = loadContainer(opts.root, opts.id);
  // runc refuses a paused container too: the new process would freeze at once.
  if (!allows('exec', c.status)) {
    throw new StateError(opts.id, 'wrong-status', `cannot exec in container ${opts.id}: it is ${c.status}`, { status: c.status, wanted: ALLOWED.exec });
  }
  const lsmHost = readHostLsm();
  const lsmProblems = processLsmProblems(opts.process, lsmHost);
  if (lsmProblems.length) throw new SpecError('process', lsmProblems);
  // The container's filter, as compiled at create; the exec'd process's
  // noNewPrivileges decides when the init loads it.
  const stored = c.state.seccomp;
  const seccomp = stored ? { flags: stored.flags, program: Buffer.from(stored.program, 'base64'), listener: stored.listenerPath !== undefined } : undefined;
  const plan = planExec(opts.process, c.state.namespaces, c.state.pid, opts.preserveFds, seccomp, lsmHost);
  const fds: number[] = [];
  try {
    // The new process starts in every cgroup of the container (v2 by
    // CLONE_INTO_CGROUP, v1 by joining before it runs).
    const cgroupFd = c.cgroup.v2DirFd() ?? -1;
    if (cgroupFd >= 0) fds.push(cgroupFd);
    const joins = c.cgroup.joinFds();
    fds.push(...joins.map((j) => j.fd));
    const nsFds = plan.namespaces.map((ns) => {
      const fd = openSync(ns.joinPath!, constants.O_RDONLY);
      fds.push(fd);
      return fd;
    });
    // Check the init is still the one we opened namespaces of (pid reuse).
    const again = loadContainer(opts.root, opts.id);
    if (again.status === 'stopped') throw new StateError(opts.id, 'wrong-status', `container ${opts.id} stopped`, { status: 'stopped', wanted: ALLOWED.exec });
    const [syncParent, syncChild] = native().seqpacketPair();
    fds.push(syncParent, syncChild);
    const consoleFd = opts.consoleSocket ? native().connectUnix(opts.consoleSocket) : -1;
    if (consoleFd >= 0) fds.push(consoleFd);
    const seccompListener = seccomp?.listener ? connectListener(stored!.listenerPath!, stateFile(c.dir)) : -1;
    if (seccompListener >= 0) fds.push(seccompListener);
    const init = spawnInit(
      plan,
      { syncChild, fifo: -1, console: consoleFd, namespaces: nsFds, seccompListener },
      { v2DirFd: cgroupFd, joinFds: joins.map((j) => j.fd), joinFiles: joins.map((j) => j.file) },
    );
    closeSync(init.pidfd);
    const channel = new InitChannel(syncParent);
    let pid = init.pid;
    try {
      for (;;) {
        const msg = channel.receive([MSG.PID, MSG.READY_SECCOMP, MSG.CREATED]);
        if (msg.type === MSG.PID) {
          pid = msg.value;
          if (pid !== init.pid) native().waitPid(init.pid);
        } else if (msg.type === MSG.READY_SECCOMP) {
          const listenerState = seccompListenerState(c.state, again.status === 'created' ? 'created' : 'running', stored?.listenerMetadata, pid);
          channel.send(MSG.SECCOMP_STATE, Buffer.from(JSON.stringify(listenerState)));
        } else if (msg.type === MSG.CREATED) {
          return pid;
        }
      }
    } catch (err) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      throw err;
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
