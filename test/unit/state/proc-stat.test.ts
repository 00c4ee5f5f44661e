import t from 'tap';
import { parseProcStat, readProcStat } from '../../../src/state/proc-stat.ts';

t.test('parses name, state, parent and start time, even with parens and spaces in comm', async (t) => {
  const text = '4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1234 56 18446744073709551615';
  t.same(parseProcStat(text), { comm: 'we (ird) name', state: 'S', ppid: 1, flags: 4194560, startTime: 987654 });
});

t.test('reads this process; absent pids are undefined', async (t) => {
  const me = readProcStat(process.pid);
  t.ok(me && me.startTime > 0);
  t.equal(readProcStat(0), undefined);
  t.equal(readProcStat(2 ** 22 + 12345), undefined);
});
