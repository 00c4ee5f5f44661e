// The OCI state document (runtime.md "State"), plus runc's rootfs,
// created and owner, as `tsrun state` prints it and hooks receive it.
import type { Status } from '../state/status.ts';
import type { ContainerState } from '../state/store.ts';

export const OCI_VERSION = '1.2.0';

export function ociState(state: ContainerState, status: Status | 'creating') {
  return {
    ociVersion: state.ociVersion,
    id: state.id,
    pid: status === 'stopped' ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.created,
    owner: state.owner,
    ...(Object.keys(state.annotations).length ? { annotations: state.annotations } : {}),
  };
}
