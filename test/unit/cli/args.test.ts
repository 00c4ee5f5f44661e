import t from 'tap';
import { flagBool, flagInt, flagString, parseArgs, requirePositional } from '../../../src/cli/args.ts';
import { UsageError } from '../../../src/errors.ts';

const table = [
  { name: 'bundle', alias: 'b', value: true },
  { name: 'detach', alias: 'd', value: false },
  { name: 'preserve-fds', value: true },
];

t.test('long, short, single-dash and = forms', async (t) => {
  const p = parseArgs(['--bundle', '/b', '-d', 'id'], table);
  t.equal(flagString(p, 'bundle'), '/b');
  t.equal(flagBool(p, 'detach'), true);
  t.same(p.positional, ['id']);
  t.equal(flagString(parseArgs(['-b=/x', 'id'], table), 'bundle'), '/x');
  t.equal(flagString(parseArgs(['-bundle', '/y', 'id'], table), 'bundle'), '/y');
  t.equal(flagString(parseArgs(['id', '--bundle=/z'], table), 'bundle'), '/z', 'flags after positionals');
});

t.test('errors name the flag', async (t) => {
  t.throws(() => parseArgs(['--nope'], table), new UsageError('unknown flag --nope'));
  t.throws(() => parseArgs(['--bundle'], table), /--bundle needs a value/);
  t.throws(() => flagInt(parseArgs(['--preserve-fds', 'x'], table), 'preserve-fds', 0), /non-negative integer/);
  t.equal(flagInt(parseArgs(['--preserve-fds', '3'], table), 'preserve-fds', 0), 3);
  t.throws(() => requirePositional(parseArgs([], table), 'start', ['container-id']), /start needs <container-id>/);
});

t.test('stopAtPositional keeps a command line intact', async (t) => {
  const p = parseArgs(['-d', 'id', 'sh', '-c', 'echo --bundle'], table, 1);
  t.same(p.positional, ['id', 'sh', '-c', 'echo --bundle']);
  t.equal(flagBool(p, 'detach'), true);
});
