// The addon's file mappings for the bundle loader (csrc/native/mapped.c)
// and its user-name lookup, against what node's own calls give.
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { native } from '../../../src/native/addon.ts';

t.test('mapText gives an ASCII file as node reads it', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'a.cjs');
  const text = 'module.exports = "x";\n'.repeat(20000);
  writeFileSync(file, text);
  t.equal(native().mapText(file), readFileSync(file, 'utf8'));
  writeFileSync(join(dir, 'empty'), '');
  t.equal(native().mapText(join(dir, 'empty')), '', 'an empty file is an empty string');
});

t.test('mapText refuses a byte above ASCII (Latin-1 would misread UTF-8)', async (t) => {
  const dir = t.testdir({ 'u.cjs': 'const arrow = "\u2192";\n' });
  t.equal(native().mapText(join(dir, 'u.cjs')), null);
});

t.test('mapText of a missing file throws as node would', async (t) => {
  const dir = t.testdir();
  t.throws(() => native().mapText(join(dir, 'nope')), { code: 'ENOENT', syscall: 'open' });
});

t.test('mapFile gives the bytes; null when missing or empty; a directory throws', async (t) => {
  const dir = t.testdir({ 'c.bin': Buffer.from([0, 1, 2, 0xff, 0x80]), empty: '', sub: {} });
  const mapped = native().mapFile(join(dir, 'c.bin'));
  t.ok(mapped instanceof ArrayBuffer);
  t.same([...new Uint8Array(mapped!)], [0, 1, 2, 0xff, 0x80]);
  t.equal(native().mapFile(join(dir, 'missing')), null);
  t.equal(native().mapFile(join(dir, 'empty')), null);
  t.throws(() => native().mapFile(join(dir, 'sub')), { code: 'ENODEV', syscall: 'mmap' });
});

t.test('userName finds the name os.userInfo() finds, and null for a uid without one', async (t) => {
  t.equal(native().userName(process.geteuid!()), userInfo().username);
  t.equal(native().userName(3999999999), null);
});
