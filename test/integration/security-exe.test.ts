// Host binary overwrite through /proc/<pid>/exe (CVE-2019-5736 class).
// tsrun-init runs from a sealed memfd copy and is non-dumpable until it
// execs, so neither a `#!/proc/self/exe` entry point nor a container
// process grabbing /proc/<pid>/exe of what `tsrun exec` starts can reach
// a host file. Judged from the host: sha256 of node, tsrun-init, the
// addon and dist/ before and after, and the attacker's own log.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DOCKER_DEFAULT_CAPS, installAttacker } from '../helpers/attackers.ts';
import { makeBundle } from '../helpers/bundle.ts';
import { hostBinaryHashes, hostSnapshot } from '../helpers/host-snapshot.ts';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { Tsrun } from '../helpers/tsrun.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('/proc/self/exe cannot reach a host binary', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);
  const hashes = hostBinaryHashes();
  t.ok(Object.keys(hashes).length >= 4, `hashing ${Object.keys(hashes).length} host files`);

  t.test("a #!/proc/self/exe entry point runs tsrun-init's sealed copy, not a host file", async (t) => {
    const bundle = makeBundle(t, (c, b) => {
      writeFileSync(join(b.rootfs, 'evil'), '#!/proc/self/exe\n');
      chmodSync(join(b.rootfs, 'evil'), 0o755);
      c.process.args = ['/evil'];
      c.process.capabilities = Object.fromEntries(['bounding', 'effective', 'permitted'].map((s) => [s, DOCKER_DEFAULT_CAPS]));
    });
    const before = hostSnapshot(bundle.dir);
    const r = tsrun.run(['run', '--bundle', bundle.dir, tsrun.id()]);
    t.not(r.status, 0, 'the memfd copy of tsrun-init refuses to run as a script interpreter');
    t.same(hostBinaryHashes(), hashes, 'host binaries unchanged');
    t.same(hostSnapshot(bundle.dir, before), before, 'nothing left');
  });

  t.test('a container process grabbing /proc/<pid>/exe of every exec cannot write one', async (t) => {
    const out = t.testdir({});
    const bundle = makeBundle(t, (c, b) => {
      installAttacker('exe-overwrite', join(b.rootfs, 'attack'));
      writeFileSync(join(b.rootfs, 'evil'), '#!/proc/self/exe\n');
      chmodSync(join(b.rootfs, 'evil'), 0o755);
      c.process.args = ['/attack', '120', '/out/log'];
      c.process.capabilities = Object.fromEntries(['bounding', 'effective', 'permitted'].map((s) => [s, DOCKER_DEFAULT_CAPS]));
      c.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['rbind', 'rw'] });
    });
    const id = tsrun.id();
    t.equal(tsrun.run(['create', '--bundle', bundle.dir, id]).status, 0);
    t.equal(tsrun.run(['start', id]).status, 0);
    for (let i = 0; i < 50 && !existsSync(join(out, 'log')); i++) await sleep(100);
    // While the attacker scans, exec into the container again and again,
    // with a #!/proc/self/exe program and with a plain one.
    let evilRuns = 0;
    for (let i = 0; i < 5; i++) {
      const evil = tsrun.run(['exec', id, '/evil']);
      if (evil.status !== 0) evilRuns++;
      const plain = tsrun.run(['exec', id, 'true']);
      t.equal(plain.status, 0, `a plain exec works ${plain.stderr}`);
    }
    t.equal(evilRuns, 5, 'each #!/proc/self/exe exec failed inside the container');
    // One more round of the attacker's retries through the held fds, now
    // that every exec'd process is gone (no ETXTBSY), then stop it.
    await sleep(1000);
    t.equal(tsrun.run(['kill', id, 'KILL']).status, 0);
    const log = readFileSync(join(out, 'log'), 'utf8');
    t.match(log, /START \d+/, 'the attacker ran');
    t.comment(`${(log.match(/OPENED-FOR-WRITE/g) ?? []).length} opens for write without a successful write, of:`);
    t.comment(
      [
        ...new Set(
          log
            .split('\n')
            .filter((l) => l.startsWith('OPENED'))
            .map((l) => l.split(' ').slice(2).join(' ')),
        ),
      ].join(', '),
    );
    t.notMatch(log, /WROTE/, 'no write into any exe succeeded');
    t.same(hostBinaryHashes(), hashes, 'host binaries unchanged');
    t.equal(tsrun.run(['delete', '--force', id]).status, 0);
  });
});
