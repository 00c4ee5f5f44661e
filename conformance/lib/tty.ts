// A --console-socket receiver: the probe in its host mode takes the pty master
// and copies what the container writes to a file.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Ctx } from './context.ts';
import { sleep } from './exec.ts';

export interface ConsoleReceiver {
  socket: string;
  output: string;
  /** Resolves when the pty closed (all container fds gone) or after timeoutMs. */
  done(timeoutMs: number): Promise<boolean>;
}

export async function consoleReceiver(ctx: Ctx): Promise<ConsoleReceiver> {
  const socket = ctx.file('console.sock');
  const output = ctx.file('console.out');
  const child = spawn(ctx.host.probe, ['recvtty', socket, output], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.track(child.pid, true);
  let exited = false;
  child.on('exit', () => (exited = true));
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 3000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return {
    socket,
    output,
    async done(timeoutMs: number) {
      const end = Date.now() + timeoutMs;
      while (!exited && Date.now() < end) await sleep(50);
      if (!fs.existsSync(output)) fs.writeFileSync(output, '');
      return exited;
    },
  };
}
