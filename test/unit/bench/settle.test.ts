// bench/lib/exec.ts settle: the idle time before a timed call is at least what was asked, and none when 0 or unset.
import t from 'tap';
import { settle } from '../../../bench/lib/exec.ts';

t.test('settle blocks for at least the time asked', async (t) => {
  const t0 = process.hrtime.bigint();
  settle(40);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  t.ok(ms >= 39.5, `blocked ${ms.toFixed(1)} ms`);
});

t.test('settle(0) and settle(undefined) return without waiting on anything', async (t) => {
  // Atomics.wait with a timeout of 0 would still be a call; these must not reach it.
  const wait = Atomics.wait;
  let calls = 0;
  Atomics.wait = ((...args: Parameters<typeof Atomics.wait>) => {
    calls++;
    return wait(...args);
  }) as typeof Atomics.wait;
  t.teardown(() => {
    Atomics.wait = wait;
  });
  settle(0);
  settle(undefined);
  t.equal(calls, 0);
  settle(1);
  t.equal(calls, 1, 'control: a positive time does wait');
});
