import t from 'tap';
import { parseDuration } from '../../../src/cli/duration.ts';
import { UsageError } from '../../../src/errors.ts';

t.test("Go's time.ParseDuration forms, in milliseconds", async (t) => {
  const cases: [string, number][] = [
    ['5s', 5000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['250000us', 250],
    ['1000000ns', 1],
    ['2µs', 0.002],
    ['-1s', -1000],
    ['+2s', 2000],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration('interval', text), ms, text);
});

t.test('bad durations name the flag', async (t) => {
  for (const text of ['', '5', 's', '5x', '1s2', '1 s', '-', '5S']) {
    t.throws(() => parseDuration('interval', text), { constructor: UsageError, message: /^invalid value for --interval: / }, text);
  }
});
