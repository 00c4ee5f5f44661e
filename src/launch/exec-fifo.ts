// What tsrun-init wrote on the exec fifo (csrc/init/exec.c, report.c):
// "0" once it is past its wait, then, if a step after that failed, the
// sync socket's ERROR message (wire.h). EOF after the "0" alone means
// execve closed the fifo: the process runs.
import { InitError } from '../errors.ts';
import { decodeMessage, MSG, STEPS } from './wire.ts';

const READY = 0x30; // "0"

/** undefined when the process started; the init's error otherwise. */
export function execFifoFailure(data: Buffer): InitError | undefined {
  if (data[0] !== READY) return new InitError('exec_fifo', 0, `unexpected data on the exec fifo: ${JSON.stringify(data.subarray(0, 16).toString('latin1'))}`);
  if (data.length === 1) return undefined;
  const msg = decodeMessage(data.subarray(1));
  if (!msg || msg.type !== MSG.ERROR) return new InitError('exec_fifo', 0, `malformed report on the exec fifo (${data.length} bytes)`);
  return new InitError(STEPS[msg.step] ?? `step ${msg.step}`, msg.value, msg.payload.toString('utf8'));
}
