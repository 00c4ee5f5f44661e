// Runs fn with process.stderr.write captured; returns the non-empty lines
// written. For tests of what tsrun prints (report.ts writes stderr directly).
export async function captureStderr(fn: () => unknown): Promise<string[]> {
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return chunks.join('').split('\n').filter(Boolean);
}
