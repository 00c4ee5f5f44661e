import { spawnSync } from 'node:child_process';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun, TSRUN } from '../helpers/tsrun.ts';

t.test('terminal', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('run in the foreground serves process.terminal itself, sized like the caller', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.terminal = true;
      c.process.args = ['sh', '-c', 'tty; stty size; test -t 0 && echo stdin-is-a-tty'];
    });
    const id = tsrun.id();
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '', LINES: '' };
    delete env.NODE_EXTRA_CA_CERTS;
    // script(1) gives tsrun a pty of 33 rows and 101 columns as its stdio.
    const cmd = `stty rows 33 cols 101; ${TSRUN} --root ${tsrun.root} run --bundle ${bundle.dir} ${id}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 30_000 });
    t.equal(r.status, 0, r.stderr);
    // The pty echoes what script(1) forwards from its own stdin: keep only
    // the lines the container printed.
    const lines = r.stdout.replace(/\r/g, '').replace(/\^@/g, '').trim().split('\n');
    t.match(lines[0], /^\/dev\/pts\/\d+$/, 'stdio is a pty inside the container');
    t.equal(lines[1], '33 101');
    t.equal(lines[2], 'stdin-is-a-tty');
  });

  t.test('run follows a resize of the caller terminal (SIGWINCH)', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.terminal = true;
      c.process.args = ['sh', '-c', "trap 'stty size; exit 0' WINCH; stty size; while true; do sleep 0.1; done"];
    });
    const id = tsrun.id();
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '', LINES: '' };
    delete env.NODE_EXTRA_CA_CERTS;
    // Without job control the background tsrun stays in script's foreground
    // process group, so the kernel's SIGWINCH after stty reaches it.
    const cmd = `stty rows 33 cols 101; ${TSRUN} --root ${tsrun.root} run --bundle ${bundle.dir} ${id} & sleep 3; stty rows 40 cols 120; wait`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 30_000 });
    t.equal(r.status, 0, r.stderr);
    const lines = r.stdout.replace(/\r/g, '').replace(/\^@/g, '').trim().split('\n');
    t.same(lines, ['33 101', '40 120'], 'the container saw the new size');
  });

  t.test('create with process.terminal and no --console-socket is a clear error', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.terminal = true;
    });
    const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    t.match(r.stderr, /process\.terminal is true: give --console-socket/);
    t.same(tsrun.leftovers(), []);
  });
});
