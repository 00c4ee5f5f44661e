import { chmodSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

t.test('hooks', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('every hook kind fires once, in order, with the state on stdin', async (t) => {
    const dir = t.testdir({});
    const log = join(dir, 'hooks.log');
    const hook = join(dir, 'hook.sh');
    // Each hook records its name, the status and id from the state JSON,
    // and which mount namespace it ran in.
    writeFileSync(
      hook,
      `#!/bin/sh\nstate=$(cat)\nstatus=$(echo "$state" | sed -n 's/.*"status":"\\([a-z]*\\)".*/\\1/p')\necho "$1 $status $(readlink /proc/self/ns/mnt)" >> ${log}\n`,
    );
    chmodSync(hook, 0o755);
    const bundle = makeBundle(t, (c, b) => {
      c.process.args = ['true'];
      const h = (name: string) => [{ path: hook, args: ['hook.sh', name] }];
      c.hooks = {
        prestart: h('prestart'),
        createRuntime: h('createRuntime'),
        createContainer: h('createContainer'),
        startContainer: h('startContainer'),
        poststart: h('poststart'),
        poststop: h('poststop'),
      };
      // The hook script lives on the host: bind it at the same path inside
      // so startContainer (run after pivot_root) finds it.
      c.mounts.push({ destination: dir, type: 'bind', source: dir, options: ['rbind', 'rw'] });
      void b;
    });
    const id = tsrun.id();
    const r = tsrun.run(['run', '--bundle', bundle.dir, id]);
    t.equal(r.status, 0, r.stderr);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    t.same(
      lines.map((l) => l.split(' ')[0]),
      ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    );
    const hostMnt = readlinkSync('/proc/self/ns/mnt');
    const [pre, cr, cc, sc] = lines.map((l) => l.split(' ')[2]);
    t.equal(pre, hostMnt, 'prestart runs in the runtime namespace');
    t.equal(cr, hostMnt, 'createRuntime runs in the runtime namespace');
    t.not(cc, hostMnt, 'createContainer runs in the container mount namespace');
    t.not(sc, hostMnt, 'startContainer runs in the container mount namespace');
    t.match(lines[0]!, / created /, 'runtime.md: hooks run after step 2, status created');
    t.match(lines[5]!, / stopped /);
  });

  t.test('a failing createRuntime hook aborts create and leaves nothing', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo hook-broke >&2; exit 3'] }] };
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /createRuntime\[0\] \/bin\/sh exited with status 3: hook-broke/);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('a hook timeout is honoured', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] };
    });
    const started = Date.now();
    const r = tsrun.run(['create', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    t.match(r.stderr, /timed out/);
    t.ok(Date.now() - started < 10_000);
  });

  t.test('a failing poststop hook is a warning, not an error', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      c.hooks = { poststop: [{ path: '/bin/false' }] };
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0);
    t.match(r.stderr, /warning: poststop\[0\]/);
  });
});
