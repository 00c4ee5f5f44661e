import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { flushCodeCaches, loadBundle } from '../../../src/cli/code-cache.ts';

// A CommonJS bundle as scripts/build.mjs writes one, inside node's
// CommonJS wrapper: it sees node's CommonJS names, requires a builtin (all
// a bundle may require), and has a function that only runs when called
// (compiled lazily, then cached).
const BUNDLE = `(function (exports, require, module, __filename, __dirname) {"use strict";
const { basename, sep } = require("node:path");
const helper = { factor: 3 };
function lazily(n) { return n * helper.factor; }
module.exports = { where: basename(__dirname) + "/" + basename(__filename), sep, lazily };
})
`;

interface Bundle {
  where: string;
  sep: string;
  lazily: (n: number) => number;
}

function writeBundle(dir: string, text = BUNDLE): string {
  const file = join(dir, 'cmd.cjs');
  writeFileSync(file, text);
  return file;
}

t.test('a bundle runs with the CommonJS names, and its cache is written only when flushed', async (t) => {
  const dir = t.testdir({ commands: {} });
  const file = writeBundle(join(dir, 'commands'));
  const mod = loadBundle<Bundle>(file);
  t.equal(mod.where, 'commands/cmd.cjs', '__dirname and __filename are the bundle’s');
  t.equal(mod.sep, '/', "require() gives node's own modules");
  t.equal(mod.lazily(14), 42);
  t.notOk(existsSync(`${file}.v8cache`), 'nothing written before the command succeeded');
  flushCodeCaches();
  t.ok(statSync(`${file}.v8cache`).size > 0, 'the cache is written by the flush');
  t.same(
    readdirSync(join(dir, 'commands')).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
});

t.test('a cache V8 accepts is kept; one it rejects is replaced', async (t) => {
  const dir = t.testdir();
  const file = writeBundle(dir);
  loadBundle<Bundle>(file).lazily(1);
  flushCodeCaches();
  const first = statSync(`${file}.v8cache`);

  t.equal(loadBundle<Bundle>(file).lazily(2), 6);
  flushCodeCaches();
  t.equal(statSync(`${file}.v8cache`).ino, first.ino, 'an accepted cache is not written again');

  writeFileSync(`${file}.v8cache`, 'not a V8 code cache');
  t.equal(loadBundle<Bundle>(file).lazily(3), 9, 'a rejected cache costs a compile, not the call');
  flushCodeCaches();
  const replaced = readFileSync(`${file}.v8cache`);
  t.not(replaced.toString(), 'not a V8 code cache', 'the rejected cache is replaced by a good one');
  t.ok(replaced.length > 100);
});

t.test('a new build of the same length runs its own code, not the cached one', async (t) => {
  const dir = t.testdir();
  const file = writeBundle(dir);
  // V8 compares only the source length: the bundle's hash line and stat must tell builds apart.
  const build = (op: string, hash: string) => {
    writeFileSync(file, `${BUNDLE.replace('n * helper.factor', `n ${op} helper.factor`)}//# bundle-hash=${hash}\n`);
    utimesSync(file, 1_000_000, 1_000_000);
  };
  build('*', 'aaaa');
  t.equal(loadBundle<Bundle>(file).lazily(5), 15);
  flushCodeCaches();
  build('+', 'bbbb');
  t.equal(loadBundle<Bundle>(file).lazily(5), 8, 'another hash line: the cache is not used');
  flushCodeCaches();
  const cached = readFileSync(`${file}.v8cache`);
  t.match(cached.subarray(0, 60).toString('latin1'), /^tsrun-code-cache bbbb \d+ 1000000000\n/, 'the cache names the build it was made from');
  writeFileSync(file, readFileSync(file, 'utf8').replace('n + helper', 'n - helper'));
  t.equal(loadBundle<Bundle>(file).lazily(5), 2, 'an edit by hand (another mtime) is not served from the cache');
});

t.test('a cache that cannot be written is skipped without an error or a stray file', async (t) => {
  const dir = t.testdir();
  const file = writeBundle(dir);
  // Root may write anywhere: a directory in the cache's place makes the rename fail.
  mkdirSync(`${file}.v8cache`);
  t.equal(loadBundle<Bundle>(file).lazily(1), 3);
  t.doesNotThrow(() => flushCodeCaches());
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'the temporary file is removed again',
  );
  t.ok(statSync(`${file}.v8cache`).isDirectory(), 'what was there is left alone');
});

t.test("a bundle that requires anything but node's own modules fails, naming it", async (t) => {
  const dir = t.testdir({ 'helper.cjs': 'exports.factor = 3;\n' });
  const file = writeBundle(dir, BUNDLE.replace('const helper = { factor: 3 };', 'const helper = require("./helper.cjs");'));
  t.throws(() => loadBundle<Bundle>(file), /may require only node's own modules, not \.\/helper\.cjs/);
});

t.test('a bundle with a byte above ASCII is read as UTF-8, not mapped as Latin-1', async (t) => {
  const dir = t.testdir();
  const file = writeBundle(dir, BUNDLE.replace('basename(__dirname) + "/"', 'basename(__dirname) + "\u2192"'));
  t.equal(loadBundle<Bundle>(file).where, `${dir.slice(dir.lastIndexOf('/') + 1)}\u2192cmd.cjs`);
});
