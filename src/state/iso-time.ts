// The state's "created" time, as Date.prototype.toISOString() writes it.
// Formatted by hand because V8's Date reads the host's time zone (ICU: a
// readlink walk of /etc/localtime and its tables) on the first format, even
// for UTC: ~1 ms of CPU in every create.

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `ms` since the epoch as YYYY-MM-DDTHH:MM:SS.sssZ (years 0000–9999). */
export function isoTime(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  // Civil date from a day count: eras of 400 years (146 097 days), each
  // year starting on March 1st so that the leap day comes last.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const time = `${pad(Math.floor(inDay / 3_600_000), 2)}:${pad(Math.floor(inDay / 60_000) % 60, 2)}:${pad(Math.floor(inDay / 1000) % 60, 2)}.${pad(inDay % 1000, 3)}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}Z`;
}
