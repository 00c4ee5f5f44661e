// --pid-file: the host pid as a plain decimal with no newline (engines
// parse it strictly), written to a temp file and renamed so a reader never
// sees half of it. Shared by create/run and exec.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function writePidFile(path: string, pid: number): void {
  const file = resolve(path);
  const temp = resolve(dirname(file), `.${process.pid}.pid.tmp`);
  writeFileSync(temp, String(pid));
  renameSync(temp, file);
}
