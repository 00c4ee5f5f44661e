// start: open the exec fifo, which releases the waiting tsrun-init into
// execve; then the poststart hooks (failures only warned, per spec).
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { InitError, StateError } from '../errors.ts';
import { STEPS } from '../launch/wire.ts';
import { runHooksWarning } from '../hooks/run-hooks.ts';
import { lockContainer } from '../state/lock.ts';
import { execFifo } from '../state/paths.ts';
import { isAlive } from '../state/status.ts';
import { loadContainer } from './container.ts';
import { ociState } from './oci-state.ts';

/** Bounds the wait for startContainer hooks and execve (hooks have their own timeouts). */
const FIFO_TIMEOUT_MS = 120_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The exec fifo protocol (csrc/init/exec.c): the init writes "0" once it
 * has the fifo open, runs the startContainer hooks and execs; execve closes
 * the fifo, so EOF after "0" means the process runs. A failure instead
 * writes "E<step>\n<errno>\n<detail>". Non-blocking reads: a dead init
 * never hangs start.
 */
function releaseInit(fifo: string, alive: () => boolean, id: string): void {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  // Gone from here on, whatever happens to this process: the fifo's
  // presence means "created", and a start killed after this point leaves a
  // container that runs (the init got its reader) or died of SIGPIPE,
  // never one that runs while it still looks created.
  unlinkSync(fifo);
  try {
    const buf = Buffer.alloc(1024);
    let got = '';
    const deadline = Date.now() + FIFO_TIMEOUT_MS;
    for (;;) {
      let n = -1;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (n > 0) {
        got += buf.toString('utf8', 0, n);
        continue;
      }
      // 0 before any byte: the init has not opened its end yet.
      if (n === 0 && got) break;
      if (!got && !alive()) throw new StateError(id, `container ${id} exited before it could start`);
      if (Date.now() > deadline) throw new StateError(id, `container ${id} did not answer on its exec fifo`);
      sleep(1);
    }
    if (got === '0') return;
    const [step, errno, ...detail] = got.slice(1).split('\n');
    throw new InitError(STEPS[Number(step?.slice(1))] ?? `step ${step}`, Number(errno), detail.join('\n'));
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
    if (c.status !== 'created') throw new StateError(id, `cannot start container ${id}: it is ${c.status}, not created`);
    releaseInit(execFifo(c.dir), () => isAlive(c!.state), id);
  } finally {
    unlock();
  }
  runHooksWarning('poststart', c.state.hooks.poststart, JSON.stringify(ociState(c.state, 'running')), warn);
  return c.state.pid;
}
