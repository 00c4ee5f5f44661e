// src/launch/primer.ts: the primer's pid is taken out of the environment,
// and only a /proc stat that names a child of ours called tsrun:[primer] is
// trusted to be it.
import t from 'tap';
import { isPrimer, PRIMER_ENV, takePrimer } from '../../../src/launch/primer.ts';
import { parseProcStat } from '../../../src/state/proc-stat.ts';

t.test('takePrimer takes the variable out of the environment', async (t) => {
  const env: NodeJS.ProcessEnv = { PATH: '/bin', [PRIMER_ENV]: '4242' };
  t.equal(takePrimer(env), 4242);
  t.same(env, { PATH: '/bin' }, 'the entry is gone, the rest is kept');
  t.equal(takePrimer(env), undefined, 'nothing the second time');
  for (const bad of ['', '0', '-5', '12abc', '1.5', ' ']) {
    const e: NodeJS.ProcessEnv = { [PRIMER_ENV]: bad };
    t.equal(takePrimer(e), undefined, `${JSON.stringify(bad)} is no pid`);
    t.notOk(PRIMER_ENV in e, `${JSON.stringify(bad)} is removed all the same`);
  }
});

t.test('isPrimer', async (t) => {
  t.ok(isPrimer(parseProcStat('812 (tsrun:[primer]) S 800 812 700 0 -1 4194560 30 0'), 800), 'our child, named as the front door names it');
  t.notOk(isPrimer(parseProcStat('812 (tsrun:[primer]) S 801 812 700 0 -1 4194560 30 0'), 800), "another process's child");
  t.notOk(isPrimer(parseProcStat('812 (sleep) S 800 812 700 0 -1 4194560 30 0'), 800), 'a child with another name');
  t.notOk(isPrimer(parseProcStat('812 (tsrun) S 800 812 700 0 -1 4194560 30 0'), 800), 'the front door before it renamed the child');
  t.notOk(isPrimer(parseProcStat('812 (x) (tsrun:[primer]) S 800 1 1'), 800), 'a name made to look like the primer: comm is "x) (tsrun:[primer]"');
  t.ok(isPrimer(parseProcStat('812 (tsrun:[primer]) Z 800 812 700'), 800), 'a zombie is still ours to reap');
  t.notOk(isPrimer(undefined, 800), 'no such process');
});
