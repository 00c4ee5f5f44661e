// The default parent <hierarchy>/tsrun, shared by every container without a
// cgroupsPath: made by the first create that needs it, in every hierarchy
// (each v1 controller's and cgroup2), and then kept, as the state root
// /run/tsrun is: tsrun's own cgroup root. Deletes remove the containers'
// cgroups only; a create racing a delete never fails.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeBundle } from '../helpers/bundle.ts';
import { cgroupRoots } from '../helpers/host.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { TSRUN, Tsrun } from '../helpers/tsrun.ts';

const roots = cgroupRoots().all;

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The tsrun parent in every hierarchy, with its inode: the same directory must stay. */
function parents(): Map<string, number | undefined> {
  return new Map(roots.map((root) => [join(root, 'tsrun'), statSync(join(root, 'tsrun'), { throwIfNoEntry: false })?.ino]));
}

function assertParentsKept(t: Test, before: Map<string, number | undefined>, ours: string[], what: string): void {
  for (const [parent, ino] of before) {
    t.equal(statSync(parent, { throwIfNoEntry: false })?.ino, ino, `${what}: ${parent} is still there, the same directory`);
    t.same(
      subdirs(parent).filter((d) => ours.includes(d)),
      [],
      `${what}: none of our containers left in ${parent}`,
    );
  }
}

t.test('the shared default parent', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const bundle = makeBundle(t, (c) => {
    c.process.args = ['sleep', '1000'];
    delete c.linux.cgroupsPath;
  });

  for (const order of ['first made, first deleted', 'first made, last deleted']) {
    t.test(`two containers, ${order}`, async (t) => {
      const a = tsrun.id('sp');
      const b = tsrun.id('sp');
      for (const id of [a, b]) {
        const r = tsrun.run(['create', '--bundle', bundle.dir, id]);
        t.equal(r.status, 0, `create ${id}: ${r.stderr}`);
      }
      for (const root of roots) t.ok(existsSync(join(root, 'tsrun', a)) && existsSync(join(root, 'tsrun', b)), `both in ${root}/tsrun`);
      const [first, second] = order === 'first made, first deleted' ? [a, b] : [b, a];
      let r = tsrun.run(['delete', '--force', first!]);
      t.equal(r.status, 0, r.stderr);
      for (const root of roots) {
        t.notOk(existsSync(join(root, 'tsrun', first!)), `${first} gone from ${root}`);
        t.ok(existsSync(join(root, 'tsrun', second!)), `${root}/tsrun stays while ${second} is in it`);
      }
      const before = parents();
      r = tsrun.run(['delete', '--force', second!]);
      t.equal(r.status, 0, r.stderr);
      for (const root of roots) t.notOk(existsSync(join(root, 'tsrun', second!)), `${second} gone from ${root}`);
      assertParentsKept(t, before, [a, b], 'after the second delete');
    });
  }

  t.test('a named cgroupsPath: its pre-existing parent is kept', async (t) => {
    const id = tsrun.id('sp');
    const parentName = `tsrun-sp-keep-${process.pid}`;
    const named = makeBundle(t, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.cgroupsPath = `/${parentName}/${id}`;
    });
    // The parent exists before the container: the operator's, never removed by tsrun.
    const parents = roots.map((root) => join(root, parentName));
    for (const dir of parents) mkdirSync(dir);
    // A new v1 cpuset cgroup starts with no cpus or mems; tsrun fills only those it made.
    const cpuset = cgroupRoots().v1.cpuset;
    if (cpuset) for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(cpuset, parentName, f), readFileSync(join(cpuset, f)));
    t.teardown(() => {
      for (const dir of parents) rmdirSync(dir);
    });
    let r = tsrun.run(['create', '--bundle', named.dir, id]);
    t.equal(r.status, 0, r.stderr);
    r = tsrun.run(['delete', '--force', id]);
    t.equal(r.status, 0, r.stderr);
    for (const dir of parents) {
      t.ok(existsSync(dir), `${dir} kept`);
      t.notOk(existsSync(join(dir, id)), `${dir}/${id} removed`);
    }
  });

  t.test('20 creates racing 20 deletes: none fails, no container cgroup is left', async (t) => {
    const ids = Array.from({ length: 21 }, () => tsrun.id('race'));
    const failures: string[] = [];
    const out = mkdtempSync(join(tmpdir(), 'tsrun-race-'));
    t.teardown(() => rmSync(out, { recursive: true, force: true }));
    let n = 0;
    // stderr into a file and 'exit', not 'close': a created container keeps its create's stdio open.
    const run = (args: string[]) =>
      new Promise<void>((resolve) => {
        const env = { ...process.env };
        delete env.NODE_EXTRA_CA_CERTS;
        const errFile = join(out, `err-${++n}`);
        const fd = openSync(errFile, 'w');
        const p = spawn(TSRUN, ['--root', tsrun.root, ...args], { env, stdio: ['ignore', 'ignore', fd] });
        closeSync(fd);
        p.on('exit', (code) => {
          if (code !== 0) failures.push(`${args.join(' ')}: exit ${code}: ${readFileSync(errFile, 'utf8').trim()}`);
          resolve();
        });
      });
    // Each round deletes the previous container while the next one is being
    // created in the same parent.
    await run(['create', '--bundle', bundle.dir, ids[0]!]);
    for (let i = 1; i < ids.length; i++) {
      await Promise.all([run(['create', '--bundle', bundle.dir, ids[i]!]), run(['delete', '--force', ids[i - 1]!])]);
    }
    await run(['delete', '--force', ids[ids.length - 1]!]);
    t.same(failures, [], 'every create and delete succeeded');
    const left = roots.flatMap((root) => ids.map((id) => join(root, 'tsrun', id)).filter((d) => existsSync(d)));
    t.same(left, [], 'no container cgroup left');
    t.same(tsrun.leftovers(), [], 'no state left');
    for (const root of roots) t.ok(statSync(join(root, 'tsrun')).isDirectory(), `${root}/tsrun stays`);
  });
});
