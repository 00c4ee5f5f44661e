// main's dispatch as a user and an engine see it: help on stdout with exit
// 0, every usage error one line on stderr naming the command once (engines
// such as containerd's shim and conmon put that line inside their own
// error), and the command's own module run with the parsed global flags.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_FLAGS } from '../../../src/cli/global-flags.ts';
import { captureStderr } from '../../helpers/stderr.ts';

type Main = typeof import('../../../src/main.ts');

interface Outcome {
  code: number;
  out: string;
  err: string[];
}

const COMMANDS = ['create', 'start', 'run', 'exec', 'state', 'kill', 'delete', 'list', 'pause', 'resume', 'spec', 'features', 'update', 'events', 'ps'];

// Loaded once: each mockImport loads the module graph afresh.
let out = '';
const { main } = await t.mockImport<Main>('../../../src/main.ts', {
  '../../../src/cli/output.ts': { writeOut: (text: string) => (out += text) },
});

async function tsrun(argv: string[]): Promise<Outcome> {
  out = '';
  let code = -1;
  const err = await captureStderr(async () => {
    code = await main(argv);
  });
  return { code, out, err };
}

/** Exit 1 and exactly this one line on stderr, nothing on stdout. */
function usageError(t: Test, r: Outcome, line: string | RegExp): void {
  t.equal(r.code, 1, 'exit 1');
  t.equal(r.out, '', 'nothing on stdout');
  t.equal(r.err.length, 1, 'one line on stderr');
  if (typeof line === 'string') t.equal(r.err[0], line);
  else t.match(r.err[0], line);
}

t.test('tsrun help, tsrun --help and tsrun with no command print the overview', async (t) => {
  for (const argv of [['help'], ['--help'], ['-h'], [], ['help', 'help'], ['--root', '/x', '--help']]) {
    const r = await tsrun(argv);
    t.equal(r.code, 0, `${argv.join(' ')}: exit 0`);
    t.same(r.err, [], 'nothing on stderr');
    t.match(r.out, /^NAME:\n {3}tsrun - /);
    for (const c of [...COMMANDS, 'help']) t.match(r.out, new RegExp(`\n   ${c} +\\S`), `lists ${c}`);
    for (const f of GLOBAL_FLAGS) t.match(r.out, `--${f.name}`, `lists --${f.name}`);
  }
});

t.test('help CMD, CMD --help and CMD -h print the same help of every command', async (t) => {
  for (const c of COMMANDS) {
    const viaHelp = await tsrun(['help', c]);
    t.equal(viaHelp.code, 0);
    t.same(viaHelp.err, []);
    t.match(viaHelp.out, new RegExp(`^NAME:\n   tsrun ${c} - .+\n\nUSAGE:\n   tsrun ${c} `));
    t.match(viaHelp.out, /\nOPTIONS:\n(.*\n)* {3}--help, -h +show this help\n$/);
    for (const flag of ['--help', '-h']) {
      const r = await tsrun([c, flag]);
      t.equal(r.code, 0, `${c} ${flag}: exit 0`);
      t.equal(r.out, viaHelp.out, `${c} ${flag}: same text as help ${c}`);
    }
  }
  const r = await tsrun(['kill', 'c1', 'KILL', '--help']);
  t.equal(r.code, 0, 'help wins over the arguments: nothing is run');
  t.match(r.out, /tsrun kill \[command options\] <container-id> \[<signal>\]/);
});

t.test('help of a command lists each of its flags with its description', async (t) => {
  const r = await tsrun(['help', 'create']);
  for (const line of [
    /\n {3}--bundle DIR, -b DIR +the bundle: /,
    /\n {3}--pid-file FILE +write /,
    /\n {3}--console-socket PATH +AF_UNIX socket /,
    /\n {3}--no-pivot +enter the rootfs /,
    /\n {3}--no-new-keyring +keep /,
    /\n {3}--preserve-fds N +pass N /,
  ])
    t.match(r.out, line);
  const run = await tsrun(['run', '-h']);
  t.match(run.out, /--bundle DIR/, "run's help has create's flags");
  t.match(run.out, /--detach, -d +return once/, 'and its own');
  const list = await tsrun(['help', 'list']);
  t.match(list.out, /--format table\|json, -f table\|json +output format/, 'fixed values shown as the argument');
});

t.test('a mistyped command gets a suggestion; an unknown one is named once', async (t) => {
  usageError(t, await tsrun(['crate', 'c1']), 'tsrun: unknown command "crate" (did you mean create?)');
  usageError(t, await tsrun(['--root', '/nonexistent', 'frobnicate', 'c1']), 'tsrun: unknown command "frobnicate"');
  usageError(t, await tsrun(['help', 'delet']), 'tsrun: unknown command "delet" (did you mean delete?)');
  usageError(t, await tsrun(['hlep']), 'tsrun: unknown command "hlep" (did you mean help?)');
  usageError(t, await tsrun(['help', 'a', 'b']), 'tsrun: help takes one command, got 2 arguments');
});

t.test('a mistyped flag gets a suggestion, with the command named once', async (t) => {
  usageError(t, await tsrun(['create', '--bundel', '/b', 'c1']), 'tsrun: create: unknown flag --bundel (did you mean --bundle?)');
  usageError(t, await tsrun(['state', '--bogus', 'c1']), 'tsrun: state: unknown flag --bogus');
  usageError(t, await tsrun(['--rot', '/x', 'state', 'c1']), 'tsrun: unknown flag --rot (did you mean --root?)');
});

t.test('invalid values and unsupported global flags are refused before anything runs', async (t) => {
  usageError(t, await tsrun(['--log-format', 'xml', 'state', 'c1']), 'tsrun: state: invalid value for --log-format: "xml" (one of text, json)');
  usageError(t, await tsrun(['--rootless', 'maybe', 'list']), /^tsrun: list: invalid value for --rootless: "maybe" \(one of true, false, auto\)$/);
  usageError(t, await tsrun(['--criu', '/usr/sbin/criu', 'state', 'c1']), 'tsrun: state: --criu: checkpoint and restore are not supported by tsrun');
  usageError(t, await tsrun(['--systemd-cgroup', 'state', 'c1']), /^tsrun: state: --systemd-cgroup: .*not supported/);
  usageError(t, await tsrun(['list', '--format', 'yaml']), 'tsrun: list: invalid value for --format: "yaml" (one of table, json)');
  usageError(t, await tsrun(['ps', '--format=xml', 'c1']), 'tsrun: ps: invalid value for --format: "xml" (one of table, json)');
});

t.test('missing and extra positionals are refused by every command', async (t) => {
  for (const c of ['start', 'state', 'delete', 'pause', 'resume', 'events', 'update', 'create', 'run']) {
    usageError(t, await tsrun(['--root', '/nonexistent', c]), `tsrun: ${c}: needs <container-id>, got 0 arguments`);
    usageError(t, await tsrun(['--root', '/nonexistent', c, 'c1', 'extra']), `tsrun: ${c}: unexpected argument "extra": takes <container-id>`);
  }
  usageError(t, await tsrun(['kill', 'c1', 'KILL', 'more']), 'tsrun: kill: unexpected argument "more": takes <container-id> [<signal>]');
  usageError(t, await tsrun(['list', 'c1']), 'tsrun: list: unexpected argument "c1": takes ');
  usageError(t, await tsrun(['features', 'x']), 'tsrun: features: unexpected argument "x": takes ');
  usageError(t, await tsrun(['spec', 'x']), 'tsrun: spec: unexpected argument "x": takes ');
  usageError(t, await tsrun(['exec']), 'tsrun: exec: needs <container-id> <command> [args...]');
  usageError(t, await tsrun(['ps']), 'tsrun: ps: needs <container-id> [ps options]');
});

t.test('--version prints both versions', async (t) => {
  const r = await tsrun(['--version']);
  t.equal(r.code, 0);
  t.match(r.out, /^tsrun version \d+\.\d+\.\d+\nspec: 1\.2\.\d+\n$/);
});

t.test('a command runs with the global flags; its error goes to stderr and the --log file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-main-'));
  const log = join(dir, 'log.json');
  const r = await tsrun(['--root', dir, '--log', log, '--log-format', 'json', 'state', 'nope']);
  usageError(t, r, 'tsrun: state: container nope does not exist');
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  t.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!) as { level: string; msg: string; time: string };
  t.equal(record.level, 'error');
  t.equal(record.msg, 'state: container nope does not exist', 'the log line: command and message, as the shim reads it');
  const listed = await tsrun(['--root', dir, 'list', '-q']);
  t.equal(listed.code, 0);
  t.equal(listed.out, '', 'an empty root lists nothing');
});
