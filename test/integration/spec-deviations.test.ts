// Fixes for deviations an outside conformance suite found: a config
// without a mount namespace, a hostname in a joined uts namespace, the
// status hooks see, and ociVersion above features' ociVersionMax.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
}

/** The optional (propagation) fields of the host's "/" mount. */
function rootPropagation(): string {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === '/');
  return line!.split(' - ')[0]!.split(' ').slice(6).join(' ');
}

function withoutMountNs(c: any): void {
  c.linux.namespaces = c.linux.namespaces.filter((ns: any) => ns.type !== 'mount');
}

t.test('spec deviations', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test("no mount namespace: the runtime's is inherited, and delete leaves no mount behind", async (t) => {
    const before = rootPropagation();
    const bundle = makeBundle(t, (c, b) => {
      withoutMountNs(c);
      c.process.args = ['sh', '-c', 'cat /marker; readlink /proc/1/ns/mnt; touch /ro 2>/dev/null && echo writable || echo read-only'];
      writeFileSync(join(b.rootfs, 'marker'), 'in the rootfs\n');
    });
    const id = tsrun.id();
    const created = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(created.status, 0, created.stderr);
    // The mounts live in the host's table while the container exists.
    t.ok(mountsUnder(bundle.dir).length >= 2, 'rootfs bind and /proc are host mounts');
    const pid = tsrun.state(id).pid;
    t.equal(execFileSync('readlink', [`/proc/${pid}/ns/mnt`]).toString(), execFileSync('readlink', ['/proc/self/ns/mnt']).toString());
    t.equal(
      execFileSync('readlink', [`/proc/${pid}/root`])
        .toString()
        .trim(),
      bundle.rootfs,
      'chrooted into the rootfs',
    );
    const started = tsrun.run(['start', id]);
    t.equal(started.status, 0, started.stderr);
    const deleted = tsrun.run(['delete', '--force', id]);
    t.equal(deleted.status, 0, deleted.stderr);
    t.same(mountsUnder(bundle.dir), [], 'nothing of the container stays mounted on the host');
    t.equal(rootPropagation(), before, 'the host\'s "/" keeps its propagation');
  });

  t.test('no mount namespace: what the process sees', async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      withoutMountNs(c);
      c.process.args = ['sh', '-c', 'cat /marker; touch /x 2>/dev/null && echo writable || echo read-only; wc -c < /proc/timer_list'];
      writeFileSync(join(b.rootfs, 'marker'), 'in the rootfs\n');
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['in the rootfs', 'read-only', '0'], 'its root, read-only, with masked paths');
    t.same(mountsUnder(bundle.dir), []);
  });

  t.test("no mount namespace: exec enters the container's root", async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      withoutMountNs(c);
      c.process.args = ['sleep', '60'];
      writeFileSync(join(b.rootfs, 'marker'), 'exec sees the rootfs\n');
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['run', '-d', '--bundle', bundle.dir, id]).status, 0);
    const r = tsrun.run(['exec', id, 'cat', '/marker']);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, 'exec sees the rootfs\n');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
    t.same(mountsUnder(bundle.dir), []);
  });

  t.test('no mount namespace: a failed create leaves no mount behind', async (t) => {
    const bundle = makeBundle(t, (c) => {
      withoutMountNs(c);
      c.process.args = ['/no/such/program'];
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /no\/such\/program/);
    t.same(mountsUnder(bundle.dir), []);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('no mount namespace refuses --no-pivot, as runc does', async (t) => {
    const bundle = makeBundle(t, withoutMountNs);
    const r = tsrun.run(['create', '--no-pivot', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 1);
    t.match(r.stderr, /--no-pivot needs a mount namespace/);
    t.same(mountsUnder(bundle.dir), []);
  });

  t.test('hostname in a uts namespace joined by path is set there', async (t) => {
    const ns = `/run/tsrun-test-uts-${process.pid}`;
    writeFileSync(ns, '');
    execFileSync('unshare', [`--uts=${ns}`, 'true']);
    t.teardown(() => {
      execFileSync('umount', [ns]);
      rmSync(ns);
    });
    const hostBefore = execFileSync('hostname').toString();
    const bundle = makeBundle(t, (c) => {
      c.hostname = 'joined-uts';
      c.process.args = ['hostname'];
      c.linux.namespaces = c.linux.namespaces.map((n: any) => (n.type === 'uts' ? { type: 'uts', path: ns } : n));
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), 'joined-uts');
    t.equal(
      execFileSync('nsenter', [`--uts=${ns}`, 'hostname'])
        .toString()
        .trim(),
      'joined-uts',
      'the joined namespace has it',
    );
    t.equal(execFileSync('hostname').toString(), hostBefore, 'the host keeps its name');
  });

  t.test('hostname without any uts namespace is still refused', async (t) => {
    const bundle = makeBundle(t, (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'uts');
    });
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, /\/hostname: setting the hostname needs a uts namespace/);
    t.notOk(tsrun.leftovers().includes(id));
  });

  t.test('every hook before the program runs sees status "created"', async (t) => {
    const dir = t.testdir({});
    const log = join(dir, 'status.log');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\nstatus=$(sed -n 's/.*"status":"\\([a-z]*\\)".*/\\1/p')\necho "$status" >> ${log}\n`);
    chmodSync(hook, 0o755);
    const bundle = makeBundle(t, (c) => {
      c.process.args = ['true'];
      const h = [{ path: hook }];
      c.hooks = { prestart: h, createRuntime: h, createContainer: h, startContainer: h };
      c.mounts.push({ destination: dir, type: 'bind', source: dir, options: ['rbind'] });
    });
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.equal(r.status, 0, r.stderr);
    t.same(readFileSync(log, 'utf8').trim().split('\n'), ['created', 'created', 'created', 'created']);
  });

  t.test("ociVersion above features' ociVersionMax is refused before anything exists", async (t) => {
    const features = JSON.parse(tsrun.run(['features']).stdout);
    const bundle = makeBundle(t, (c) => (c.ociVersion = '1.3.0'));
    const id = tsrun.id();
    const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.status, 1);
    t.match(r.stderr, `/ociVersion: version 1.3.0 is newer than this tsrun supports (runtime-spec up to ${features.ociVersionMax}`);
    t.notOk(tsrun.leftovers().includes(id));
  });
});
