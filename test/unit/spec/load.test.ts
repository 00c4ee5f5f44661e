import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { SpecError } from '../../../src/errors.ts';
import { defaultConfig } from '../../../src/spec/default-config.ts';
import { loadSpec, locateSyntaxError, schemaProblems } from '../../../src/spec/load.ts';

// A bundle directory holding `config` (an object, or raw text) as config.json.
function bundle(t: Test, config: unknown): string {
  const dir = t.testdir();
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return dir;
}

function specError(t: Test, fn: () => unknown): SpecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err;
    t.fail(`expected a SpecError, got ${String(err)}`);
    throw err;
  }
  t.fail('expected a SpecError, nothing was thrown');
  throw new Error('unreachable');
}

t.test('the default config loads as written', async (t) => {
  const config = defaultConfig({ rootless: false });
  t.same(loadSpec(bundle(t, config)), config);
});

t.test('a missing config.json names the bundle', async (t) => {
  const dir = t.testdir();
  const err = specError(t, () => loadSpec(dir));
  t.equal(err.file, join(dir, 'config.json'));
  t.same(err.problems, [{ pointer: '', reason: `no config.json in bundle ${dir}: write one, e.g. with "tsrun spec"` }]);
});

t.test('an unreadable config.json (a directory) says why', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'config.json'));
  const err = specError(t, () => loadSpec(dir));
  t.match(err.problems[0]?.reason, /^cannot read the file: EISDIR/);
});

t.test('malformed JSON reports line and column', async (t) => {
  const text = '{\n  "ociVersion": "1.2.0",\n  "root": {"path": }\n}\n';
  const err = specError(t, () => loadSpec(bundle(t, text)));
  t.same(err.problems, [
    { pointer: '', reason: 'invalid JSON at line 3 column 20: expected a value (object, array, string, number, true, false or null), found "}"' },
  ]);
});

t.test('the syntax scan finds each kind of error', async (t) => {
  t.same(locateSyntaxError('{"a":1,}'), { line: 1, column: 8, reason: 'expected a property name in double quotes, found "}"' });
  t.same(locateSyntaxError('{"a" 1}'), { line: 1, column: 6, reason: 'expected \':\' after the property name, found "1"' });
  t.same(locateSyntaxError('[1 2]'), { line: 1, column: 4, reason: "expected ',' or ']' after the array element, found \"2\"" });
  t.same(locateSyntaxError('{"a":1'), { line: 1, column: 7, reason: "expected ',' or '}' after the property value, found the end of the file" });
  t.same(locateSyntaxError('{"a":"x\ny"}'), { line: 1, column: 8, reason: 'expected an escaped control character (such as \\n) inside a string, found "\\n"' });
  t.same(locateSyntaxError('{"a":"\\q"}'), { line: 1, column: 8, reason: 'expected an escape such as \\n, \\" or \\u0041, found "q"' });
  t.same(locateSyntaxError('{}\n x'), { line: 2, column: 2, reason: 'expected the end of the file after the JSON value, found "x"' });
  t.same(locateSyntaxError(''), {
    line: 1,
    column: 1,
    reason: 'expected a value (object, array, string, number, true, false or null), found the end of the file',
  });
  t.equal(locateSyntaxError('{"a": [1, -2.5e3, true, null, "\\u00e9"]}'), undefined);
});

t.test('schema violations: every one at once, with pointer and expected form', async (t) => {
  const config = {
    ociVersion: '1.2.0',
    root: { path: 'rootfs', readonly: 'yes' },
    process: { cwd: '/', args: ['sh'], user: { uid: 'x', gid: 0 }, rlimits: [{ type: 'nofile', soft: -1, hard: 1 }] },
    mounts: [{ source: 'proc' }],
    hooks: { poststop: [{ path: '/bin/true', timeout: 0 }] },
    linux: { namespaces: [{ type: 'bogus' }] },
  };
  const err = specError(t, () => loadSpec(bundle(t, config)));
  t.same(
    [...err.problems].sort((a, b) => a.pointer.localeCompare(b.pointer)),
    [
      { pointer: '/hooks/poststop/0/timeout', reason: 'must be at least 1' },
      { pointer: '/linux/namespaces/0/type', reason: 'must be one of cgroup, ipc, mount, network, pid, time, user, uts' },
      { pointer: '/mounts/0', reason: 'missing required property "destination"' },
      { pointer: '/process/rlimits/0/soft', reason: 'must be at least 0' },
      { pointer: '/process/rlimits/0/type', reason: 'must match the pattern ^RLIMIT_[A-Z]+$' },
      { pointer: '/process/user/uid', reason: 'must be an integer' },
      { pointer: '/root/readonly', reason: 'must be a boolean (true or false)' },
    ],
  );
  t.match(err.message, /\/process\/user\/uid: must be an integer/);
});

t.test('required properties are reported at their parent object', async (t) => {
  t.same(schemaProblems({}), [{ pointer: '', reason: 'missing required property "ociVersion"' }]);
  t.same(schemaProblems({ ociVersion: '1.2.0', process: { args: ['sh'] } }), [
    { pointer: '/process', reason: 'missing required property "cwd"' },
    { pointer: '/process', reason: 'missing required property "user"' },
  ]);
  t.same(schemaProblems([]), [{ pointer: '', reason: 'must be an object' }]);
});

t.test('semantic problems come after a schema-valid document, all together', async (t) => {
  const config = defaultConfig({ rootless: false });
  config.process!.cwd = 'work';
  config.linux!.resources!.unified = { '../x': '1' };
  const err = specError(t, () => loadSpec(bundle(t, config)));
  t.same(err.problems, [
    { pointer: '/process/cwd', reason: 'must be an absolute path, not "work"' },
    { pointer: '/linux/resources/unified/..~1x', reason: 'a unified key must be a plain cgroup file name (no "/" or "..")' },
  ]);
});

t.test('the largest uint64 (RLIM_INFINITY as Go writes it) is accepted', async (t) => {
  const config = defaultConfig({ rootless: false });
  const text = JSON.stringify(config).replace('"hard":1024', '"hard":18446744073709551615');
  t.equal(loadSpec(bundle(t, text)).process?.rlimits?.[0]?.hard, 2 ** 64);
});
