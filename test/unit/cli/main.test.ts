// What an engine shows when it calls tsrun wrongly: containerd's shim and
// conmon put tsrun's stderr inside their own error, so it must be one line.
import t from 'tap';
import { main } from '../../../src/main.ts';

async function stderrOf(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, lines: chunks.join('').split('\n').filter(Boolean) };
  } finally {
    process.stderr.write = write;
  }
}

t.test('an unknown command is one line, without the usage text', async (t) => {
  const r = await stderrOf(['--root', '/nonexistent', 'frobnicate', 'c1']);
  t.equal(r.code, 1);
  t.equal(r.lines.length, 1);
  t.match(r.lines[0], /^tsrun: frobnicate: unknown command "frobnicate"/);
});

t.test('an unknown flag of a known command is one line', async (t) => {
  const r = await stderrOf(['state', '--bogus', 'c1']);
  t.equal(r.code, 1);
  t.equal(r.lines.length, 1);
  t.match(r.lines[0], /unknown flag --bogus/);
});

