// The parent's end of the sync socket, with the socket replaced by a queue
// of messages: an ERROR becomes an InitError, and a message the parent does
// not expect at that point is a protocol error, as recv_msg makes it in C.
import t, { type Test } from 'tap';
import { encodeMessage, MSG } from '../../../src/launch/wire.ts';

type ChannelModule = typeof import('../../../src/launch/init-channel.ts');

async function channelWith(t: Test, ...messages: Buffer[]) {
  const { InitChannel } = await t.mockImport<ChannelModule>('../../../src/launch/init-channel.ts', {
    '../../../src/native/addon.ts': { native: () => ({ recvMessage: () => ({ data: messages.shift() ?? Buffer.alloc(0) }) }) },
  });
  return new InitChannel(99);
}

function error(step: number, errno: number, detail: string): Buffer {
  const m = encodeMessage(MSG.ERROR, Buffer.from(detail));
  m.writeInt32LE(errno, 4);
  m.writeUInt32LE(step, 8);
  return m;
}

t.test('expected messages pass; an unexpected one is an InitError of step sync', async (t) => {
  const c = await channelWith(t, encodeMessage(MSG.READY_HOOKS), encodeMessage(MSG.HOOKS_DONE));
  t.equal(c.receive([MSG.READY_HOOKS, MSG.CREATED]).type, MSG.READY_HOOKS);
  t.throws(() => c.receive([MSG.READY_HOOKS, MSG.CREATED]), {
    name: 'InitError',
    step: 'sync',
    message: /unexpected message 5 from tsrun-init \(expected 4 or 6\)/,
  });
});

t.test('ERROR, EOF and a short message', async (t) => {
  const c = await channelWith(t, error(4, 1, 'mount /proc at /proc'), Buffer.from('abc'));
  t.throws(() => c.receive([MSG.CREATED]), {
    name: 'InitError',
    step: 'mounts',
    errno: 1,
    message: 'mounts: mount /proc at /proc: EPERM (operation not permitted)',
  });
  t.throws(() => c.receive([MSG.CREATED]), { name: 'InitError', step: 'sync', message: /malformed message/ });
  t.throws(() => c.receive([MSG.CREATED]), { name: 'InitError', step: 'sync', message: /exited before the container was created/ });
});
