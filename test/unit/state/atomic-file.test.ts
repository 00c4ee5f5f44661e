import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { writeFileAtomic } from '../../../src/state/atomic-file.ts';

t.test('the file is replaced whole, with the mode asked for', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'state.json');
  writeFileSync(file, 'old');
  writeFileAtomic(file, '{"new":true}', 0o600);
  t.equal(readFileSync(file, 'utf8'), '{"new":true}');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.same(readdirSync(dir), ['state.json'], 'no temp file left');
});

t.test('a failed rename throws and leaves no temp file', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'taken');
  // Root may write anywhere: a directory in the file's place makes the rename fail.
  mkdirSync(file);
  t.throws(() => writeFileAtomic(file, Buffer.from('x'), 0o644), { code: 'EISDIR' });
  t.same(readdirSync(dir), ['taken'], 'the temp file is removed again');
  t.ok(statSync(file).isDirectory(), 'what was there is left alone');
});
