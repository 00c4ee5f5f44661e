// exec --process FILE is checked like config.json's process, every problem
// at once, pointers relative to the file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SpecError } from '../../../src/errors.ts';
import { loadProcessFile, processDocumentProblems } from '../../../src/spec/load-process.ts';

const good = () => ({ args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] });

t.test('a valid process has no problems', async (t) => {
  t.same(processDocumentProblems(good()), []);
});

t.test('schema problems point into the file', async (t) => {
  const p = { ...good(), user: { uid: 'root', gid: 0 }, terminal: 'yes' };
  const pointers = processDocumentProblems(p)
    .map((x) => x.pointer)
    .sort();
  t.same(pointers, ['/terminal', '/user/uid']);
});

t.test('semantic problems, all at once', async (t) => {
  const p = {
    ...good(),
    args: [],
    cwd: 'relative',
    rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }],
    capabilities: { bounding: ['CAP_NOPE'] },
  };
  const problems = processDocumentProblems(p);
  t.same(problems.map((x) => x.pointer).sort(), ['/args', '/capabilities/bounding/0', '/cwd', '/rlimits/0/type']);
  t.match(problems.find((x) => x.pointer === '/rlimits/0/type')?.reason, /RLIMIT_BOGUS/);
});

t.test('missing args and a missing cwd', async (t) => {
  const pointers = processDocumentProblems({ user: { uid: 0, gid: 0 } }).map((x) => x.pointer);
  t.same(pointers, ['']);
  t.same(
    processDocumentProblems({ user: { uid: 0, gid: 0 }, cwd: '/' }).map((x) => x.pointer),
    [''],
  );
});

t.test('null, an array or a number is not a process', async (t) => {
  for (const doc of [null, [], 3, 'sh'])
    t.same(
      processDocumentProblems(doc).map((x) => x.pointer),
      [''],
    );
});

t.test('loadProcessFile: syntax errors with a position, a missing file', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'process.json');
  writeFileSync(file, '{"args": ["sh"],\n "cwd": }');
  t.throws(
    () => loadProcessFile(file),
    new SpecError(file, [
      { pointer: '', reason: 'invalid JSON at line 2 column 9: expected a value (object, array, string, number, true, false or null), found "}"' },
    ]),
  );
  t.throws(() => loadProcessFile(join(dir, 'nope.json')), { name: 'SpecError', message: /cannot read the process file: ENOENT/ });
  writeFileSync(file, JSON.stringify(good()));
  t.same(loadProcessFile(file).args, ['sh']);
});
