// Command output with one write(2): process.stdout would build a stream
// first, which costs a measurable share of a `tsrun state` call.
import { writeSync } from 'node:fs';

export function writeOut(text: string): void {
  const buf = Buffer.from(text);
  for (let at = 0; at < buf.length;) {
    try {
      at += writeSync(1, buf, at);
    } catch (err) {
      // stdout may be a non-blocking pipe (engines): wait and retry.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}
