// The seccomp notify listener at linux.seccomp.listenerPath: the socket
// tsrun-init sends the notify fd on, and the "container process state" of
// config-linux.md that goes with it (seccompFd in fds, the container's
// state, listenerMetadata as metadata).
import { SpecError } from '../errors.ts';
import { native } from '../native/addon.ts';
import type { Status } from '../state/status.ts';
import type { ContainerState } from '../state/store.ts';

/** `pid`: the process the filter is for (the container's, or an exec'd one). */
export function seccompListenerState(state: ContainerState, status: Status | 'creating', metadata: string | undefined, pid = state.pid) {
  return {
    ociVersion: state.ociVersion,
    fds: ['seccompFd'],
    pid,
    ...(metadata ? { metadata } : {}),
    state: {
      ociVersion: state.ociVersion,
      id: state.id,
      status,
      pid: state.pid,
      bundle: state.bundle,
      ...(Object.keys(state.annotations).length ? { annotations: state.annotations } : {}),
    },
  };
}

/** A socket connected to the listener; `file` names the config (or state) it came from. */
export function connectListener(path: string, file: string): number {
  try {
    return native().connectUnix(path);
  } catch (err) {
    const reason = `cannot connect to the seccomp notify listener at ${path}: ${(err as Error).message}`;
    throw new SpecError(file, [{ pointer: '/linux/seccomp/listenerPath', reason }], { cause: err });
  }
}
