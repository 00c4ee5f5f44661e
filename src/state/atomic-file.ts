// Replace a file whole: write a temp file beside it, then rename over it,
// so a reader sees the old content or the new, never half of either.
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode });
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never made
    }
    throw err;
  }
}
