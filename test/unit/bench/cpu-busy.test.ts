import t from 'tap';
import { parseCpuBusyMs } from '../../../bench/lib/procs.ts';

// /proc/stat as this VM writes it: the aggregate line, then one per CPU.
// Fields: user nice system idle iowait irq softirq steal guest guest_nice.
const STAT = [
  'cpu  4705 150 1120 1393280 8020 0 49 7 30 0',
  'cpu0 2300 75 560 696640 4010 0 25 3 15 0',
  'cpu1 2405 75 560 696640 4010 0 24 4 15 0',
  'intr 12345 0 0',
  'ctxt 6789',
  '',
].join('\n');

t.test('busy time is user + nice + system + irq + softirq of the aggregate line, in ms', async (t) => {
  // (4705 + 150 + 1120 + 0 + 49) ticks of 10 ms; idle, iowait, steal and
  // guest (already inside user) are left out.
  t.equal(parseCpuBusyMs(STAT), 60240);
});

t.test('only the aggregate line counts, not the per-CPU lines', async (t) => {
  const perCpuFirst = STAT.split('\n').slice(1).join('\n');
  t.throws(() => parseCpuBusyMs(perCpuFirst), /no aggregate cpu line/);
});

t.test('a machine that did only idle work reads zero', async (t) => {
  t.equal(parseCpuBusyMs('cpu  0 0 0 500 3 0 0 0 0 0\n'), 0);
});
