// Waiting for a container process in the foreground (run, exec): tsrun is
// its subreaper, forwards the usual signals and returns its status the way
// a shell would (128 + signal when killed).
import { native } from '../native/addon.ts';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export function exitCode(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}

export async function waitForeground(pid: number): Promise<number> {
  const forward = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already exited
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  try {
    return exitCode(await native().waitPidAsync(pid));
  } finally {
    for (const sig of FORWARDED) process.off(sig, forward);
  }
}
