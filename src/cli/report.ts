// The one place that turns errors into text: one line on stderr, and with
// --log the same in runc's format (containerd's shim reads the last
// "error" line of that file, so every line must be valid JSON).
import { appendFileSync } from 'node:fs';
import { errnoText, SpecError, TsrunError } from '../errors.ts';
import type { GlobalFlags } from './global-flags.ts';

type LogFlags = Pick<GlobalFlags, 'log' | 'logFormat' | 'debug'>;

export class Reporter {
  /**
   * `command` starts every error line ("tsrun: create: …"); "" when there
   * is no command to name (an unknown one is named in its message).
   */
  constructor(
    private globals: LogFlags,
    private readonly command: string,
  ) {}

  /** The global flags, once parsed: errors before that go to stderr only. */
  useGlobals(globals: LogFlags): void {
    this.globals = globals;
  }

  private log(level: 'error' | 'warning' | 'debug', msg: string): void {
    if (!this.globals.log) return;
    const time = new Date().toISOString();
    const line = this.globals.logFormat === 'json' ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
    try {
      appendFileSync(this.globals.log, `${line}\n`);
    } catch {
      // The log is best effort; stderr still gets the message.
    }
  }

  warn = (msg: string): void => {
    process.stderr.write(`tsrun: warning: ${msg}\n`);
    this.log('warning', msg);
  };

  debug(msg: string): void {
    if (!this.globals.debug) return;
    process.stderr.write(`tsrun: debug: ${msg}\n`);
    this.log('debug', msg);
  }

  /** Formats an error as one line; returns the exit status (1, as runc). */
  error(err: unknown): number {
    const msg = this.command ? `${this.command}: ${describe(err)}` : describe(err);
    process.stderr.write(`tsrun: ${msg}\n`);
    if (this.globals.debug && err instanceof Error && err.stack) process.stderr.write(`${chain(err)}\n`);
    this.log('error', msg);
    return 1;
  }
}

// instanceof works for errors thrown in a command bundle too (errors.ts).
function describe(err: unknown): string {
  if (err instanceof SpecError) return `${err.file}: ${err.message}`;
  if (err instanceof TsrunError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.errno === 'number' && e.code) {
    return `${e.message.includes(e.code) ? e.message : `${e.message} (${errnoText(-e.errno)})`}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function chain(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.stack ?? e.message);
  return parts.join('\ncaused by: ');
}
