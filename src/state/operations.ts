// Which operation a container's status allows: one table for every command
// (runc's rules). Each command keeps its own error wording, which engines
// parse (containerd matches "container not running" after kill). The C
// front door (csrc/frontdoor/commands.c) applies the same rules to the
// commands it serves and hands anything else to these.
import type { Status } from './status.ts';

export type Operation = 'start' | 'kill' | 'exec' | 'pause' | 'resume' | 'delete' | 'delete --force' | 'update' | 'events';

export const ALLOWED: Readonly<Record<Operation, readonly Status[]>> = {
  start: ['created'],
  // A created container can be signalled: its init waits on the exec fifo.
  kill: ['created', 'running', 'paused'],
  // Not paused: the new process would freeze at once.
  exec: ['created', 'running'],
  pause: ['created', 'running'],
  resume: ['paused'],
  delete: ['created', 'stopped'],
  'delete --force': ['created', 'running', 'paused', 'stopped'],
  update: ['created', 'running', 'paused'],
  events: ['created', 'running', 'paused'],
};

export function allows(op: Operation, status: Status): boolean {
  return ALLOWED[op].includes(status);
}
