import t from 'tap';
import { InitError } from '../../../src/errors.ts';
import { execFifoFailure } from '../../../src/launch/exec-fifo.ts';
import { encodeMessage, MSG } from '../../../src/launch/wire.ts';

/** What csrc/init/report.c writes after "0": struct tsr_msg ERROR + detail. */
function errorReport(step: number, errno: number, detail: string): Buffer {
  const msg = encodeMessage(MSG.ERROR, Buffer.from(detail));
  msg.writeInt32LE(errno, 4);
  msg.writeUInt32LE(step, 8);
  return Buffer.concat([Buffer.from('0'), msg]);
}

t.test('"0" alone: the process started', async (t) => {
  t.equal(execFifoFailure(Buffer.from('0')), undefined);
});

t.test('"0" then an ERROR message: the step, errno and detail, as from the socket', async (t) => {
  const err = execFifoFailure(errorReport(6, 2, 'hook startContainer[0] /bin/nope'));
  t.ok(err instanceof InitError);
  t.equal(err!.step, 'hooks');
  t.equal(err!.errno, 2);
  t.equal(err!.detail, 'hook startContainer[0] /bin/nope');
  t.equal(err!.message, 'hooks: hook startContainer[0] /bin/nope: ENOENT (no such file or directory)');
  t.equal(execFifoFailure(errorReport(99, 0, 'x'))!.step, 'step 99', 'an unknown step keeps its number');
  t.equal(execFifoFailure(errorReport(15, 13, 'exec /bin/sh'))!.message, 'exec: exec /bin/sh: EACCES (permission denied)');
});

t.test('anything else is an exec_fifo error, never success', async (t) => {
  t.match(execFifoFailure(Buffer.from('E6\n2\nold text format'))!.message, /exec_fifo: unexpected data on the exec fifo: "E6/);
  t.match(execFifoFailure(Buffer.from('0abc'))!.message, /exec_fifo: malformed report on the exec fifo \(4 bytes\)/, 'shorter than a header');
  const notError = Buffer.concat([Buffer.from('0'), encodeMessage(MSG.CREATED)]);
  t.match(execFifoFailure(notError)!.message, /malformed report/, 'a message other than ERROR');
});
