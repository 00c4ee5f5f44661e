// Sizes as runc's update flags take them: docker/go-units RAMInBytes, a
// number (fractions allowed) with an optional binary unit, "64m", "1.5GiB",
// "512 k", "100b". The multipliers are powers of 1024 whatever the spelling.
import { UsageError } from '../errors.ts';

const MULTIPLIER: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

// number, optional single space, then b | k | kb | kib (and m g t p likewise), any case.
const SIZE = /^(\d+(?:\.\d*)?|\.\d+) ?(?:([kmgtp])(?:i?b)?|b)?$/i;

/** Bytes from a size; throws a UsageError naming `flag` for anything else. */
export function parseRamSize(flag: string, text: string): number {
  const m = SIZE.exec(text);
  if (!m) throw new UsageError(`invalid value for --${flag}: ${JSON.stringify(text)} is not a size (a number of bytes, or with a unit: 512k, 64m, 1.5g)`);
  const unit = m[2]?.toLowerCase();
  // go-units truncates the float product toward zero.
  const bytes = Math.trunc(Number(m[1]) * (unit ? MULTIPLIER[unit]! : 1));
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`invalid value for --${flag}: ${JSON.stringify(text)} is too large`);
  return bytes;
}
