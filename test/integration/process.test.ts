import t from 'tap';
import { skipUnlessRoot } from '../helpers/requires.ts';
import { runScript } from '../helpers/run-in.ts';
import { Tsrun } from '../helpers/tsrun.ts';

function field(text: string, name: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.split(':')[1]
    ?.trim();
}

t.test('process', skipUnlessRoot(), async (t) => {
  const tsrun = new Tsrun(t);

  t.test('env, cwd and args', async (t) => {
    const r = runScript(t, tsrun, 'echo "$GREETING|$(pwd)|$0|$1"', (c) => {
      c.process.env.push('GREETING=hello world');
      c.process.cwd = '/tmp';
      c.process.args = ['sh', '-c', 'echo "$GREETING|$(pwd)|$0|$1"', 'zero', 'one'];
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), 'hello world|/tmp|zero|one');
  });

  t.test('a cwd missing from the image is created, as runc does', async (t) => {
    const r = runScript(t, tsrun, 'pwd', (c) => {
      c.process.cwd = '/does/not/exist';
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), '/does/not/exist');
  });

  t.test('uid, gid, additionalGids and umask', async (t) => {
    const r = runScript(t, tsrun, 'id -u; id -g; id -G; umask', (c) => {
      c.process.user = { uid: 1000, gid: 1001, additionalGids: [2000, 2001], umask: 0o027 };
    });
    t.equal(r.status, 0, r.stderr);
    const [uid, gid, groups, umask] = r.stdout.trim().split('\n');
    t.equal(uid, '1000');
    t.equal(gid, '1001');
    t.same(groups!.split(' ').sort(), ['1001', '2000', '2001']);
    t.equal(umask, '0027');
  });

  t.test('capabilities: the five sets as configured', async (t) => {
    const r = runScript(t, tsrun, 'grep Cap /proc/self/status', (c) => {
      // Not root: exec then keeps exactly the ambient set in permitted and
      // effective (root would get the whole bounding set).
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.capabilities = {
        bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW'],
        effective: ['CAP_KILL'],
        permitted: ['CAP_KILL', 'CAP_NET_RAW'],
        inheritable: ['CAP_NET_RAW'],
        ambient: ['CAP_NET_RAW'],
      };
    });
    t.equal(r.status, 0, r.stderr);
    // CAP_CHOWN=0, CAP_KILL=5, CAP_NET_RAW=13; exec recomputes effective
    // and permitted from the ambient set (KILL is not ambient: dropped).
    t.equal(field(r.stdout, 'CapBnd'), (2n ** 0n + 2n ** 5n + 2n ** 13n).toString(16).padStart(16, '0'));
    t.equal(field(r.stdout, 'CapInh'), (2n ** 13n).toString(16).padStart(16, '0'));
    t.equal(field(r.stdout, 'CapAmb'), (2n ** 13n).toString(16).padStart(16, '0'));
    t.equal(field(r.stdout, 'CapEff'), (2n ** 13n).toString(16).padStart(16, '0'));
  });

  t.test('a root process keeps exactly its effective set', async (t) => {
    const r = runScript(t, tsrun, 'grep -E "CapEff|CapBnd|NoNewPrivs" /proc/self/status');
    t.equal(r.status, 0, r.stderr);
    const base = (2n ** 29n + 2n ** 5n + 2n ** 10n).toString(16).padStart(16, '0'); // AUDIT_WRITE, KILL, NET_BIND_SERVICE
    t.equal(field(r.stdout, 'CapEff'), base);
    t.equal(field(r.stdout, 'CapBnd'), base);
    t.equal(field(r.stdout, 'NoNewPrivs'), '1');
  });

  t.test('noNewPrivileges false leaves the flag clear', async (t) => {
    const r = runScript(t, tsrun, 'grep NoNewPrivs /proc/self/status', (c) => {
      c.process.noNewPrivileges = false;
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(field(r.stdout, 'NoNewPrivs'), '0');
  });

  t.test('rlimits', async (t) => {
    const r = runScript(t, tsrun, 'ulimit -n; ulimit -Hn; ulimit -c', (c) => {
      c.process.rlimits = [
        { type: 'RLIMIT_NOFILE', soft: 512, hard: 768 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      ];
    });
    t.equal(r.status, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['512', '768', '0']);
  });

  t.test('oomScoreAdj', async (t) => {
    const r = runScript(t, tsrun, 'cat /proc/self/oom_score_adj', (c) => {
      c.process.oomScoreAdj = 123;
    });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout.trim(), '123');
  });

  t.test('the exit status of the container is the exit status of run', async (t) => {
    t.equal(runScript(t, tsrun, 'exit 42').status, 42);
    // Without a pid namespace: pid 1 of a namespace ignores its own TERM.
    const killed = runScript(t, tsrun, 'kill -TERM $$', (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((ns: any) => ns.type !== 'pid');
    });
    t.equal(killed.status, 128 + 15);
  });

  t.test('an executable that does not exist fails create with its name', async (t) => {
    const r = runScript(t, tsrun, '', (c) => {
      c.process.args = ['no-such-binary'];
    });
    t.equal(r.status, 1);
    t.match(r.stderr, /no-such-binary not found/);
  });

  t.test('only stdio and the preserved fds reach the container', async (t) => {
    const r = runScript(t, tsrun, 'ls /proc/self/fd');
    t.equal(r.status, 0, r.stderr);
    // 0 1 2 and the fd ls itself opens for the directory
    t.same(
      r.stdout
        .trim()
        .split('\n')
        .map(Number)
        .filter((fd) => fd > 3),
      [],
    );
  });
});
