// The parent's end of the sync socket: typed messages, ERROR → InitError.
import { InitError } from '../errors.ts';
import { native } from '../native/addon.ts';
import { decodeMessage, encodeMessage, MSG, MSG_HEADER_SIZE, MSG_MAX, STEPS, type WireMessage } from './wire.ts';

/** How long the parent waits for the next message from tsrun-init. */
const RECV_TIMEOUT_MS = 120_000;

export class InitChannel {
  constructor(readonly fd: number) {}

  /** The next message; one of a type not in `expected` is a protocol error, as in C's recv_msg. */
  receive(expected: readonly number[]): WireMessage {
    const { data } = native().recvMessage(this.fd, MSG_HEADER_SIZE + MSG_MAX, RECV_TIMEOUT_MS);
    if (data.length === 0) throw new InitError('sync', 0, 'tsrun-init exited before the container was created');
    const msg = decodeMessage(data);
    if (!msg) throw new InitError('sync', 0, 'malformed message from tsrun-init');
    if (msg.type === MSG.ERROR) {
      throw new InitError(STEPS[msg.step] ?? `step ${msg.step}`, msg.value, msg.payload.toString('utf8'));
    }
    if (!expected.includes(msg.type)) throw new InitError('sync', 0, `unexpected message ${msg.type} from tsrun-init (expected ${expected.join(' or ')})`);
    return msg;
  }

  send(type: number, payload?: Buffer): void {
    native().sendMessage(this.fd, encodeMessage(type, payload), []);
  }
}
