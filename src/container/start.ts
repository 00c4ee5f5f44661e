// start: open the exec fifo, which releases the waiting tsrun-init into
// execve; then the poststart hooks (failures only warned, per spec).
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { StateError } from '../errors.ts';
import { execFifoFailure } from '../launch/exec-fifo.ts';
import { runHooksWarning } from '../hooks/run-hooks.ts';
import { lockContainer } from '../state/lock.ts';
import { execFifo } from '../state/paths.ts';
import { isAlive } from '../state/status.ts';
import { loadContainer } from './container.ts';
import { ociState } from './oci-state.ts';
import { ALLOWED, allows } from '../state/operations.ts';

/** Bounds the wait for startContainer hooks and execve (hooks have their own timeouts). */
const FIFO_TIMEOUT_MS = 120_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens the exec fifo, which releases the init, and reads it to EOF: see
 * launch/exec-fifo.ts for what the init writes. Non-blocking reads: a
 * dead init never hangs start.
 */
function releaseInit(fifo: string, alive: () => boolean, id: string): void {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  // Gone from here on, whatever happens to this process: the fifo's
  // presence means "created", and a start killed after this point leaves a
  // container that runs (the init got its reader) or died of SIGPIPE,
  // never one that runs while it still looks created.
  unlinkSync(fifo);
  try {
    const chunks: Buffer[] = [];
    let got = 0;
    const deadline = Date.now() + FIFO_TIMEOUT_MS;
    for (;;) {
      const buf = Buffer.alloc(1024);
      let n = -1;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (n > 0) {
        chunks.push(buf.subarray(0, n));
        got += n;
        continue;
      }
      // 0 before any byte: the init has not opened its end yet.
      if (n === 0 && got) break;
      if (!got && !alive())
        throw new StateError(id, 'wrong-status', `container ${id} exited before it could start`, { status: 'stopped', wanted: ALLOWED.start });
      if (Date.now() > deadline) throw new StateError(id, 'unresponsive', `container ${id} did not answer on its exec fifo`);
      sleep(1);
    }
    const failure = execFifoFailure(Buffer.concat(chunks));
    if (failure) throw failure;
  } finally {
    closeSync(fd);
  }
}

export function startContainer(root: string, id: string, warn: (msg: string) => void): number {
  // The state is read under the lock: a delete or another start that ran
  // first is seen (container gone, or running).
  const unlock = lockContainer(root, id);
  let c;
  try {
    c = loadContainer(root, id);
    if (!allows('start', c.status))
      throw new StateError(id, 'wrong-status', `cannot start container ${id}: it is ${c.status}, not created`, { status: c.status, wanted: ALLOWED.start });
    releaseInit(execFifo(c.dir), () => isAlive(c!.state), id);
  } finally {
    unlock();
  }
  runHooksWarning('poststart', c.state.hooks.poststart, JSON.stringify(ociState(c.state, 'running')), warn);
  return c.state.pid;
}
