import t from 'tap';
import { parseRamSize } from '../../../src/cli/ram-size.ts';
import { UsageError } from '../../../src/errors.ts';

t.test('sizes with binary units, as docker/go-units RAMInBytes', async (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['100', 100],
    ['100b', 100],
    ['100B', 100],
    ['1k', 1024],
    ['1K', 1024],
    ['1kb', 1024],
    ['1KiB', 1024],
    ['64m', 64 * 2 ** 20],
    ['64 MB', 64 * 2 ** 20],
    ['1.5g', 1.5 * 2 ** 30],
    ['2t', 2 * 2 ** 40],
    ['1p', 2 ** 50],
    ['.5k', 512],
    ['1.3k', 1331], // truncated toward zero, like go-units
  ];
  for (const [text, bytes] of cases) t.equal(parseRamSize('memory', text), bytes, text);
});

t.test('anything else is a usage error naming the flag', async (t) => {
  for (const text of ['', 'm', '-5', '1x', '1kk', '1 k b', '1kbb', '12e3', ' 1']) {
    t.throws(() => parseRamSize('memory-swap', text), { constructor: UsageError, message: /^invalid value for --memory-swap: / }, text);
  }
  t.throws(() => parseRamSize('memory', '99999999p'), /too large/);
});
