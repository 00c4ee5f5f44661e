// `tsrun run` in the foreground with process.terminal and no
// --console-socket: tsrun receives the pty master itself (as runc does) and
// copies between it and its own stdio, in raw mode when stdin is a tty.
import { closeSync, writeSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import { native } from '../native/addon.ts';

export class TerminalProxy {
  private master = -1;
  private reader: ReadStream | undefined;
  private readonly ours: number;
  /** The end tsrun-init sends the master on. */
  readonly theirs: number;

  constructor() {
    [this.ours, this.theirs] = native().seqpacketPair();
  }

  /** After create: the init has sent the master already. */
  receive(): void {
    closeSync(this.theirs);
    const { fds } = native().recvMessage(this.ours, 256, 10_000);
    closeSync(this.ours);
    const master = fds[0];
    if (master === undefined) throw new Error('tsrun-init sent no pty master');
    this.master = master;
  }

  attach(): void {
    // A pty master is a tty to libuv: one ReadStream reads it, and writes go
    // straight to the fd (net.Socket refuses tty fds).
    // node:tty (and net under it) only when a terminal is served.
    const { ReadStream: TtyReadStream } = process.getBuiltinModule('node:tty');
    const reader = new TtyReadStream(this.master);
    this.reader = reader;
    reader.on('error', () => undefined); // EIO once the container's side closes
    reader.pipe(process.stdout);
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.on('data', (chunk: Buffer) => this.write(chunk));
    // Follow the caller's terminal: on SIGWINCH node refreshes stdout's size
    // and emits 'resize'; setting the pty's size then makes the kernel send
    // SIGWINCH to the container's foreground process group.
    if (process.stdout.isTTY) process.stdout.on('resize', this.resize);
  }

  private readonly resize = (): void => {
    const size = callerConsoleSize();
    if (!size || this.master < 0) return;
    try {
      native().setWindowSize(this.master, size.height, size.width);
    } catch {
      // the container's side is gone: nothing left to resize
    }
  };

  private write(chunk: Buffer): void {
    for (let at = 0; at < chunk.length;) {
      try {
        at += writeSync(this.master, chunk, at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      }
    }
  }

  /** Waits until the container's output has been copied out, then lets go. */
  async detach(): Promise<void> {
    process.stdout.off('resize', this.resize);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.destroy();
    const reader = this.reader;
    if (reader && !reader.destroyed) {
      await new Promise<void>((resolve) => {
        reader.once('close', resolve);
        reader.once('end', resolve);
        setTimeout(resolve, 500);
      });
      reader.destroy();
    }
  }
}

/** The size to give the container's pty: the caller's terminal, when it has one. */
export function callerConsoleSize(): { height: number; width: number } | undefined {
  return process.stdout.isTTY ? { height: process.stdout.rows, width: process.stdout.columns } : undefined;
}
