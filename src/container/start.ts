// start: open the exec fifo, which releases the waiting tsrun-init into
// execve; then the poststart hooks (failures only warned, per spec).
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { StateError } from '../errors.ts';
import { runHooksWarning } from '../hooks/run-hooks.ts';
import { lockContainerDir } from '../state/lock.ts';
import { execFifo } from '../state/paths.ts';
import { isAlive } from '../state/status.ts';
import { loadContainer } from './container.ts';
import { ociState } from './oci-state.ts';

const FIFO_TIMEOUT_MS = 10_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads the init's byte from the fifo without ever blocking on a dead init. */
function releaseInit(fifo: string, alive: () => boolean, id: string): void {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(1);
    const deadline = Date.now() + FIFO_TIMEOUT_MS;
    for (;;) {
      try {
        if (readSync(fd, buf, 0, 1, null) === 1) return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (!alive()) throw new StateError(id, `container ${id} exited before it could start`);
      if (Date.now() > deadline) throw new StateError(id, `container ${id} did not answer on its exec fifo`);
      sleep(1);
    }
  } finally {
    closeSync(fd);
  }
}

export function startContainer(root: string, id: string, warn: (msg: string) => void): number {
  const c = loadContainer(root, id);
  if (c.status !== 'created') throw new StateError(id, `cannot start container ${id}: it is ${c.status}, not created`);
  const unlock = lockContainerDir(c.dir);
  try {
    const fifo = execFifo(c.dir);
    releaseInit(fifo, () => isAlive(c.state), id);
    unlinkSync(fifo);
  } finally {
    unlock();
  }
  runHooksWarning('poststart', c.state.hooks.poststart, JSON.stringify(ociState(c.state, 'running')), warn);
  return c.state.pid;
}
