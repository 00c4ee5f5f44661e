// start: open the exec fifo, which releases the waiting tsrun-init into
// execve; then the poststart hooks (failures only warned, per spec).
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { InitError, StateError } from '../errors.ts';
import { decodeMessage, MSG, STEPS } from '../launch/wire.ts';
import { runHooksWarning } from '../hooks/run-hooks.ts';
import { lockContainerDir } from '../state/lock.ts';
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
 * The exec fifo protocol (csrc/init/exec.c, report.c): the init writes "0"
 * once it has the fifo open, runs the startContainer hooks and execs;
 * execve closes the fifo, so EOF after "0" means the process runs. A
 * failure after "0" writes the sync socket's ERROR message (wire.h), read
 * here with the same decoder. Non-blocking reads: a dead init never hangs
 * start.
 */
function releaseInit(fifo: string, alive: () => boolean, id: string): void {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
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
      if (!got && !alive()) throw new StateError(id, `container ${id} exited before it could start`);
      if (Date.now() > deadline) throw new StateError(id, `container ${id} did not answer on its exec fifo`);
      sleep(1);
    }
    const data = Buffer.concat(chunks);
    if (data[0] !== 0x30) throw new InitError('exec_fifo', 0, `unexpected data on the exec fifo: ${JSON.stringify(data.subarray(0, 16).toString('latin1'))}`);
    if (data.length === 1) return;
    const msg = decodeMessage(data.subarray(1));
    if (!msg || msg.type !== MSG.ERROR) throw new InitError('exec_fifo', 0, `malformed report on the exec fifo (${data.length} bytes)`);
    throw new InitError(STEPS[msg.step] ?? `step ${msg.step}`, msg.value, msg.payload.toString('utf8'));
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
