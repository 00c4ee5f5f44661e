import t from 'tap';
import { isoTime } from '../../../src/state/iso-time.ts';

t.test('isoTime matches Date.prototype.toISOString', async (t) => {
  const fixed = [
    0,
    -1,
    1,
    86_399_999,
    86_400_000,
    951_782_400_000 /* 2000-02-29 */,
    951_868_799_999,
    4_107_542_400_000 /* 2100-03-01 */,
    -62_167_219_200_000 /* 0000-01-01 */,
    253_402_300_799_999 /* 9999-12-31T23:59:59.999 */,
    Date.now(),
  ];
  for (const ms of fixed) t.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  // A deterministic spread over the whole range (a linear congruential walk).
  let x = 12_345;
  let bad = 0;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const ms = -62_167_219_200_000 + Math.floor((x / 2_147_483_648) * 315_569_519_000_000) + (i % 1000);
    if (isoTime(ms) !== new Date(ms).toISOString()) bad++;
  }
  t.equal(bad, 0, 'random instants between years 0000 and 9999');
});
