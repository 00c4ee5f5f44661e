// The OCI state document (runtime.md "State"), plus runc's rootfs,
// created and owner, as `tsrun state` prints it and hooks receive it.
import { readFileSync } from 'node:fs';
import { SpecError } from '../errors.ts';
import { MSG_MAX } from '../launch/wire.ts';
import type { Spec } from '../spec/types.ts';
import type { Status } from '../state/status.ts';
import type { ContainerState } from '../state/store.ts';

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

/** The last NSpid of /proc/<pid>/status: the pid in its own pid namespace. */
function pidInContainer(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('NSpid:'));
  const inner = Number(line?.trim().split(/\s+/).at(-1));
  return Number.isInteger(inner) && inner > 0 ? inner : pid;
}

/**
 * The state tsrun-init gives its createContainer/startContainer hooks, in
 * one message of at most MSG_MAX bytes. runtime.md: hooks in the container
 * namespace see the pid as the container does. Without such hooks nothing
 * is sent, so huge annotations only matter to a config that has them.
 */
export function containerHookState(state: ContainerState, spec: Spec, configFile: string): Buffer {
  if (!spec.hooks?.createContainer?.length && !spec.hooks?.startContainer?.length) return Buffer.alloc(0);
  const json = Buffer.from(JSON.stringify({ ...ociState(state, 'created'), pid: pidInContainer(state.pid) }));
  if (json.length > MSG_MAX) {
    throw new SpecError(configFile, [
      {
        pointer: '/annotations',
        reason: `the state for createContainer/startContainer hooks is ${json.length} bytes, more than the ${MSG_MAX} tsrun passes: shorten the annotations`,
      },
    ]);
  }
  return json;
}
