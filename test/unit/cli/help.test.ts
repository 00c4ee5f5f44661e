import t from 'tap';
import type { FlagSpec } from '../../../src/cli/args.ts';
import { GLOBAL_FLAGS } from '../../../src/cli/global-flags.ts';
import { commandHelpText, flagLines, overviewHelpText } from '../../../src/cli/help.ts';

const flags: FlagSpec[] = [
  { name: 'bundle', alias: 'b', value: true, arg: 'DIR', help: 'the bundle' },
  { name: 'detach', alias: 'd', value: false, help: 'do not wait' },
  { name: 'format', value: true, values: ['table', 'json'], help: 'output format' },
  { name: 'cpu-share', alias: 'cpu-shares', value: true, help: 'weight' },
];

t.test('one aligned line per flag, aliases and value names shown, --help last', async (t) => {
  const lines = flagLines(flags).split('\n');
  t.equal(lines.length, 5);
  t.match(lines[0], /^ {3}--bundle DIR, -b DIR +the bundle$/);
  t.match(lines[1], /^ {3}--detach, -d +do not wait$/);
  t.match(lines[2], /^ {3}--format table\|json +output format$/);
  t.match(lines[3], /^ {3}--cpu-share value, --cpu-shares value {2}weight$/, 'a long alias gets two dashes');
  t.match(lines[4], /^ {3}--help, -h +show this help$/);
  const column = new Set(lines.map((l) => l.search(/ {2}\S+( \S+)*$/)));
  t.equal(column.size, 1, 'descriptions start in one column');
});

t.test('a command help: name, usage, description, options', async (t) => {
  const text = commandHelpText('create', 'create a container', { args: '<container-id>', description: 'Line one.\nLine two.', flags });
  t.match(
    text,
    /^NAME:\n {3}tsrun create - create a container\n\nUSAGE:\n {3}tsrun create \[command options\] <container-id>\n\nDESCRIPTION:\n {3}Line one.\n {3}Line two.\n\nOPTIONS:\n/,
  );
  t.ok(text.endsWith('show this help\n'));
  const bare = commandHelpText('list', 'list', { args: '', flags: [] });
  t.match(bare, /USAGE:\n {3}tsrun list \[command options\]\n\nOPTIONS:\n {3}--help, -h {2}show this help\n$/, 'no args, no description');
});

t.test('the overview lists commands and global flags', async (t) => {
  const text = overviewHelpText(
    '9.9.9',
    [
      ['create', 'make one'],
      ['ps', 'show'],
    ],
    GLOBAL_FLAGS,
  );
  t.match(text, /VERSION:\n {3}9\.9\.9\n/);
  t.match(text, /COMMANDS:\n {3}create {2}make one\n {3}ps {6}show\n/);
  for (const f of GLOBAL_FLAGS) t.match(text, `--${f.name}`);
});

t.test('every global flag has a one-line description', async (t) => {
  for (const f of GLOBAL_FLAGS) {
    t.ok(f.help.length > 10, `--${f.name} is described`);
    t.notMatch(f.help, /\n/, `--${f.name}: one line`);
  }
});
