// Signal names ↔ numbers on x86_64 Linux (arch/x86/include/uapi/asm/signal.h),
// for `kill` and for naming a signal in messages.

export const SIGKILL = 9;

const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  IOT: 6,
  BUS: 7,
  FPE: 8,
  KILL: SIGKILL,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  POLL: 29,
  PWR: 30,
  SYS: 31,
};

// glibc reserves 32 and 33 for its threads, so SIGRTMIN as programs see it
// is 34 (what runc's and kill(1)'s RTMIN means).
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const NUMBER = /^\d+$/;
const REALTIME = /^RT(MIN|MAX)(?:([+-])(\d+))?$/;

/** "KILL", "SIGKILL", "kill", "9", "34", "RTMIN", "SIGRTMIN+3", "RTMAX-2" → signal number. */
export function parseSignal(text: string): number {
  const upper = text.trim().toUpperCase();
  if (NUMBER.test(upper)) {
    const n = Number(upper);
    if (n >= 1 && n <= SIGRTMAX) return n;
    throw new Error(`unknown signal ${JSON.stringify(text)}: signal numbers go from 1 to ${SIGRTMAX}`);
  }
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const rt = REALTIME.exec(name);
  if (rt) {
    const offset = Number(rt[3] ?? 0) * (rt[2] === '-' ? -1 : 1);
    const n = (rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + offset;
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    throw new Error(`unknown signal ${JSON.stringify(text)}: real-time signals go from RTMIN (${SIGRTMIN}) to RTMAX (${SIGRTMAX})`);
  }
  const n = Object.hasOwn(SIGNALS, name) ? SIGNALS[name] : undefined;
  if (n === undefined) throw new Error(`unknown signal ${JSON.stringify(text)}`);
  return n;
}

/** 9 → "SIGKILL", 35 → "SIGRTMIN+1"; a number outside the table stays a number. */
export function signalName(n: number): string {
  const name = Object.keys(SIGNALS).find((key) => SIGNALS[key] === n);
  if (name) return `SIG${name}`;
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n > SIGRTMIN && n <= SIGRTMAX) return `SIGRTMIN+${n - SIGRTMIN}`;
  return String(n);
}
