import t from 'tap';
import { flagBool, flagInt, flagList, flagString, parseArgs, requirePositional, type FlagSpec } from '../../../src/cli/args.ts';
import { UsageError } from '../../../src/errors.ts';

const table: FlagSpec[] = [
  { name: 'bundle', alias: 'b', value: true, help: 'bundle' },
  { name: 'detach', alias: 'd', value: false, help: 'detach' },
  { name: 'preserve-fds', value: true, help: 'fds' },
  { name: 'format', value: true, values: ['table', 'json'], help: 'format' },
  { name: 'env', alias: 'e', value: true, multi: true, help: 'env' },
];

t.test('long, short, single-dash and = forms', async (t) => {
  const p = parseArgs(['--bundle', '/b', '-d', 'id'], table);
  t.equal(flagString(p, 'bundle'), '/b');
  t.equal(flagBool(p, 'detach'), true);
  t.same(p.positional, ['id']);
  t.equal(flagString(parseArgs(['-b=/x', 'id'], table), 'bundle'), '/x');
  t.equal(flagString(parseArgs(['-bundle', '/y', 'id'], table), 'bundle'), '/y');
  t.equal(flagString(parseArgs(['id', '--bundle=/z'], table), 'bundle'), '/z', 'flags after positionals');
  t.same(flagList(parseArgs(['-e', 'A=1', '--env=B=2'], table), 'env'), ['A=1', 'B=2'], 'repeatable, = inside the value kept');
});

t.test('a boolean flag takes =true or =false and nothing else', async (t) => {
  t.equal(flagBool(parseArgs(['--detach=false'], table), 'detach'), false);
  t.equal(flagBool(parseArgs(['--detach=true'], table), 'detach'), true);
  t.throws(() => parseArgs(['--detach=yes'], table), new UsageError('invalid value for --detach: "yes" (true or false)'));
});

t.test('errors name the flag', async (t) => {
  t.throws(() => parseArgs(['--nope'], table), new UsageError('unknown flag --nope'));
  t.throws(() => parseArgs(['--bundle'], table), /--bundle needs a value/);
  t.throws(() => flagInt(parseArgs(['--preserve-fds', 'x'], table), 'preserve-fds', 0), /non-negative integer/);
  t.equal(flagInt(parseArgs(['--preserve-fds', '3'], table), 'preserve-fds', 0), 3);
});

t.test('an unknown flag close to a known one is suggested', async (t) => {
  t.throws(() => parseArgs(['--bundel', '/b'], table), new UsageError('unknown flag --bundel (did you mean --bundle?)'));
  t.throws(() => parseArgs(['--preserve-fd=3'], table), new UsageError('unknown flag --preserve-fd (did you mean --preserve-fds?)'), 'the value is not echoed');
  t.throws(() => parseArgs(['-x'], table), new UsageError('unknown flag -x'), 'nothing close: no guess');
});

t.test('a flag with a fixed set of values refuses others', async (t) => {
  t.equal(flagString(parseArgs(['--format', 'json'], table), 'format'), 'json');
  t.throws(() => parseArgs(['--format', 'xml'], table), new UsageError('invalid value for --format: "xml" (one of table, json)'));
});

t.test('--help and -h ask for help unless the table defines them', async (t) => {
  t.throws(() => parseArgs(['id', '--help'], table), { name: 'HelpRequested' });
  t.throws(() => parseArgs(['-h'], table), { name: 'HelpRequested' });
  t.same(parseArgs(['-d', 'id', 'sh', '-h'], table, 1).positional, ['id', 'sh', '-h'], "after exec's command, -h is the command's");
  t.same(parseArgs(['--', '--help'], table).positional, ['--help'], 'after --, a positional');
  const own: FlagSpec[] = [{ name: 'human', alias: 'h', value: false, help: 'h' }];
  t.equal(flagBool(parseArgs(['-h'], own), 'human'), true);
});

t.test('positionals: missing and extra ones are usage errors that name what is wanted', async (t) => {
  t.throws(() => requirePositional(parseArgs([], table), ['container-id']), new UsageError('needs <container-id>, got 0 arguments'));
  t.throws(() => requirePositional(parseArgs(['a', 'b'], table), ['container-id']), new UsageError('unexpected argument "b": takes <container-id>'));
  t.throws(
    () => requirePositional(parseArgs(['a', 'b', 'c'], table), ['container-id', 'signal'], 1),
    new UsageError('unexpected argument "c": takes <container-id> [<signal>]'),
  );
  t.throws(() => requirePositional(parseArgs(['x', 'y'], table), []), new UsageError('unexpected arguments "x" "y": takes '));
  t.same(requirePositional(parseArgs(['a'], table), ['container-id', 'signal'], 1), ['a']);
  t.same(requirePositional(parseArgs(['a', 'KILL'], table), ['container-id', 'signal'], 1), ['a', 'KILL']);
});

t.test('stopAtPositional keeps a command line intact', async (t) => {
  const p = parseArgs(['-d', 'id', 'sh', '-c', 'echo --bundle'], table, 1);
  t.same(p.positional, ['id', 'sh', '-c', 'echo --bundle']);
  t.equal(flagBool(p, 'detach'), true);
});
