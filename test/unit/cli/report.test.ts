// The error printer: one line on stderr per error, and the same text in
// runc's log format, which containerd's shim parses (it reads the last
// "level":"error" line of the --log file and matches words such as
// "does not exist" and "container not running" in its msg).
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reporter } from '../../../src/cli/report.ts';
import { CgroupError, HookError, InitError, SpecError, StateError, SystemError, UsageError } from '../../../src/errors.ts';
import { captureStderr } from '../../helpers/stderr.ts';

const quiet = { logFormat: 'text' as const, debug: false };

async function lineOf(err: unknown, command = 'create'): Promise<string> {
  let code = 0;
  const lines = await captureStderr(() => {
    code = new Reporter(quiet, command).error(err);
  });
  t.equal(code, 1, 'exit status 1, as runc');
  t.equal(lines.length, 1, 'one line');
  return lines[0]!;
}

t.test('each kind of error is one line: tsrun, the command, the message', async (t) => {
  t.equal(await lineOf(new UsageError('needs <container-id>, got 0 arguments')), 'tsrun: create: needs <container-id>, got 0 arguments');
  t.equal(await lineOf(new StateError('c1', 'not-found', 'container c1 does not exist'), 'state'), 'tsrun: state: container c1 does not exist');
  t.equal(
    await lineOf(
      new SpecError('/b/config.json', [
        { pointer: '/process/args', reason: 'must not be empty' },
        { pointer: '', reason: 'x' },
      ]),
    ),
    'tsrun: create: /b/config.json: /process/args: must not be empty; /: x',
    'a spec error names the file, then every pointer',
  );
  t.equal(await lineOf(new InitError('mounts', 1, 'mount /proc at /proc')), 'tsrun: create: mounts: mount /proc at /proc: EPERM (operation not permitted)');
  t.equal(await lineOf(new InitError('exec', 0, 'no such command')), 'tsrun: create: exec: no such command', 'errno 0 adds no reason');
  t.equal(
    await lineOf(new CgroupError('/sys/fs/cgroup/x', 'write memory.max', { cause: new Error('EBUSY: resource busy') })),
    'tsrun: create: write memory.max: EBUSY: resource busy',
    'a tsrun error keeps the message of its cause',
  );
  t.equal(
    await lineOf(new HookError('createRuntime[0]', '/bin/false', 'hook createRuntime[0] exited with status 1')),
    'tsrun: create: hook createRuntime[0] exited with status 1',
  );
  t.equal(await lineOf(new SystemError('clone3 failed')), 'tsrun: create: clone3 failed');
  t.equal(await lineOf(new UsageError('unknown command "x"'), ''), 'tsrun: unknown command "x"', 'no command: not named');
});

t.test("Node's errno errors get the errno name and its text once", async (t) => {
  const e = Object.assign(new Error('open /x'), { errno: -13, code: 'EACCES' });
  t.equal(await lineOf(e), 'tsrun: create: open /x (EACCES (permission denied))');
  const named = Object.assign(new Error("EACCES: permission denied, open '/x'"), { errno: -13, code: 'EACCES' });
  t.equal(await lineOf(named), "tsrun: create: EACCES: permission denied, open '/x'", 'a message naming the code is kept as it is');
  t.equal(await lineOf('a string'), 'tsrun: create: a string', 'a thrown non-Error');
});

t.test('--log json: one runc-style record per error and warning', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-report-'));
  const log = join(dir, 'log.json');
  const r = new Reporter({ log, logFormat: 'json', debug: false }, 'kill');
  await captureStderr(() => {
    r.warn('cgroup busy');
    r.error(new StateError('c1', 'wrong-status', 'container not running'));
  });
  const records = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  t.equal(records.length, 2);
  t.same(Object.keys(records[1]!), ['level', 'msg', 'time'], "runc's field names");
  t.equal(records[0]!.level, 'warning');
  t.equal(records[0]!.msg, 'cgroup busy');
  t.equal(records[1]!.level, 'error');
  t.equal(records[1]!.msg, 'kill: container not running', "the shim's words, verbatim");
  t.ok(!Number.isNaN(Date.parse(records[1]!.time!)), 'an RFC 3339 time');
});

t.test('--log text: logrus text lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-report-'));
  const log = join(dir, 'log.txt');
  await captureStderr(() => new Reporter({ log, logFormat: 'text', debug: false }, 'start').error(new Error('say "hi"')));
  t.match(readFileSync(log, 'utf8'), /^time="[^"]+" level=error msg="start: say \\"hi\\""\n$/);
});

t.test('an unwritable log does not hide the error on stderr', async (t) => {
  const lines = await captureStderr(() => new Reporter({ log: '/nonexistent/dir/log', logFormat: 'json', debug: false }, 'start').error(new Error('boom')));
  t.same(lines, ['tsrun: start: boom']);
});

t.test('warnings and debug lines', async (t) => {
  t.same(await captureStderr(() => new Reporter(quiet, 'delete').warn('kill 42: ESRCH')), ['tsrun: warning: kill 42: ESRCH']);
  t.same(await captureStderr(() => new Reporter(quiet, 'delete').debug('hidden')), [], 'debug is off by default');
  t.same(await captureStderr(() => new Reporter({ ...quiet, debug: true }, 'delete').debug('shown')), ['tsrun: debug: shown']);
});

t.test('--debug adds the cause chain after the line', async (t) => {
  const lines = await captureStderr(() =>
    new Reporter({ ...quiet, debug: true }, 'create').error(new CgroupError('/x', 'outer', { cause: new Error('inner') })),
  );
  t.equal(lines[0], 'tsrun: create: outer: inner');
  t.ok(
    lines.some((l) => l.startsWith('caused by: Error: inner')),
    'the cause is printed',
  );
});

t.test('useGlobals turns the log on once the global flags are parsed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-report-'));
  const log = join(dir, 'log.json');
  const r = new Reporter(quiet, 'state');
  r.useGlobals({ log, logFormat: 'json', debug: false });
  await captureStderr(() => r.error(new Error('late')));
  t.match(readFileSync(log, 'utf8'), /"msg":"state: late"/);
});
