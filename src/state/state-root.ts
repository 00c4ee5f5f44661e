// The state root of a caller that is not root: made private to the caller
// (0700) and refused when anyone else owns it or may write into it, so no
// other user can plant or read container state (fifo, pid, seccomp cache).
import { chmodSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateError } from '../errors.ts';

const S_ISVTX = 0o1000;

/** `euid` is the caller's (a parameter for the tests, which run as root). */
export function prepareUserStateRoot(root: string, isDefault: boolean, euid = process.geteuid?.() ?? 0): void {
  if (euid === 0) return;
  if (!existsSync(root)) {
    const parent = dirname(root);
    if (isDefault && !existsSync(parent)) {
      throw new StateError(
        '',
        'bad-root',
        `state root ${root}: ${parent} does not exist (no login session made it): set XDG_RUNTIME_DIR to a directory of yours, or give --root`,
      );
    }
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StateError('', 'bad-root', `cannot create state root ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        cause: err,
      });
    }
    // runc's trick under $XDG_RUNTIME_DIR: the sticky bit keeps systemd's
    // tmpfiles cleaning from removing a directory it has not seen used.
    if (isDefault) chmodSync(root, 0o700 | S_ISVTX);
  }
  const st = lstatSync(root);
  if (!st.isDirectory()) throw new StateError('', 'bad-root', `state root ${root} is not a directory`);
  if (st.uid !== euid)
    throw new StateError('', 'bad-root', `state root ${root} belongs to uid ${st.uid}, not to you (uid ${euid}): give --root a directory of your own`);
  if ((st.mode & 0o022) !== 0)
    throw new StateError(
      '',
      'bad-root',
      `state root ${root} is writable by others (mode ${(st.mode & 0o7777).toString(8)}): chmod go-w it or give another --root`,
    );
}
