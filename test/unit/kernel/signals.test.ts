import t from 'tap';
import { parseSignal, signalName } from '../../../src/kernel/signals.ts';

t.test('names, prefixes, case and numbers', async (t) => {
  t.equal(parseSignal('KILL'), 9);
  t.equal(parseSignal('SIGKILL'), 9);
  t.equal(parseSignal('kill'), 9);
  t.equal(parseSignal('sigterm'), 15);
  t.equal(parseSignal('9'), 9);
  t.equal(parseSignal('WINCH'), 28);
  t.equal(parseSignal('SIGIOT'), 6);
});

t.test('real-time signals', async (t) => {
  t.equal(parseSignal('34'), 34);
  t.equal(parseSignal('64'), 64);
  t.equal(parseSignal('RTMIN'), 34);
  t.equal(parseSignal('RTMIN+1'), 35);
  t.equal(parseSignal('SIGRTMIN+3'), 37);
  t.equal(parseSignal('RTMAX'), 64);
  t.equal(parseSignal('RTMAX-2'), 62);
  t.equal(parseSignal('rtmin-0'), 34);
});

t.test('unknown signals are errors that quote the input', async (t) => {
  t.throws(() => parseSignal('FOO'), { message: 'unknown signal "FOO"' });
  t.throws(() => parseSignal('SIGFOO'), { message: 'unknown signal "SIGFOO"' });
  t.throws(() => parseSignal('toString'), { message: 'unknown signal "toString"' });
  t.throws(() => parseSignal('0'), { message: 'unknown signal "0": signal numbers go from 1 to 64' });
  t.throws(() => parseSignal('65'), { message: 'unknown signal "65": signal numbers go from 1 to 64' });
  t.throws(() => parseSignal('RTMIN-1'), { message: 'unknown signal "RTMIN-1": real-time signals go from RTMIN (34) to RTMAX (64)' });
  t.throws(() => parseSignal('RTMAX+1'), /real-time signals go from/);
  t.throws(() => parseSignal(''), { message: 'unknown signal ""' });
});

t.test('signalName', async (t) => {
  t.equal(signalName(9), 'SIGKILL');
  t.equal(signalName(15), 'SIGTERM');
  t.equal(signalName(34), 'SIGRTMIN');
  t.equal(signalName(35), 'SIGRTMIN+1');
  t.equal(signalName(64), 'SIGRTMIN+30');
  t.equal(signalName(99), '99');
  for (const n of [1, 9, 15, 17, 31, 34, 40, 64]) t.equal(parseSignal(signalName(n)), n, `round trip ${n}`);
});
