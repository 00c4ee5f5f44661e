// Every failure tsrun reports is a TsrunError: one kind per layer, with the
// object it concerns as fields. Only src/cli/report.ts turns them into text.
//
// `instanceof` works across bundles: each command is a bundle of its own
// (dist/commands/*.cjs, scripts/build.mjs) with its own copy of these
// classes, so an error thrown in a command bundle is not an instance of the
// entry bundle's class by prototype. Each class therefore marks its
// prototype with a symbol from the global registry (Symbol.for, the same
// in every bundle), and instanceof asks for that mark.
import type { Status } from './state/status.ts';

/** The static property holding a class's mark (the symbol its instances carry). */
const MARK = Symbol.for('tsrun.error.mark');

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Gives `cls` the mark `tsrun.error.<name>`: its instances (and those of
 * subclasses, by the prototype chain) carry it, in whichever bundle they
 * were made. Every subclass needs its own mark, else it shares its parent's.
 */
export function markErrorClass(cls: ErrorClass, name: string): void {
  const mark = Symbol.for(`tsrun.error.${name}`);
  Object.defineProperty(cls.prototype, mark, { value: true });
  Object.defineProperty(cls, MARK, { value: mark });
}

/**
 * `instanceof` for a marked class: `value` carries the class's mark. A
 * subclass without a mark of its own (a test's, say) falls back to the
 * prototype chain rather than matching every instance of its parent.
 */
function hasMark(cls: object, value: unknown): boolean {
  if (!Object.hasOwn(cls, MARK)) return Function.prototype[Symbol.hasInstance].call(cls, value);
  const mark = (cls as { [MARK]: symbol })[MARK];
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}

/** The base of errors recognised in another bundle than the one that threw them. */
export class MarkedError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasMark(this, value);
  }
}
markErrorClass(MarkedError, 'MarkedError');

export class TsrunError extends MarkedError {
  override name = 'TsrunError';
}
markErrorClass(TsrunError, 'TsrunError');

/** Bad command line: unknown flag, missing argument. */
export class UsageError extends TsrunError {
  override name = 'UsageError';
}
markErrorClass(UsageError, 'UsageError');

/** One problem in config.json, located by a JSON pointer ("" is the whole document). */
export interface SpecProblem {
  pointer: string;
  reason: string;
}

/** config.json is unreadable, not JSON, or violates the schema or a semantic rule. */
export class SpecError extends TsrunError {
  override name = 'SpecError';
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
    options?: ErrorOptions,
  ) {
    super(problems.map((p) => `${p.pointer || '/'}: ${p.reason}`).join('; '), options);
  }
}
markErrorClass(SpecError, 'SpecError');

/**
 * Why a StateError: what callers test instead of the message or the disk.
 * - not-found: no such container (no directory, or no state.json in it)
 * - exists: create of an id that is taken
 * - corrupt: state.json unreadable, not JSON, or naming a process or
 *   cgroup that is not the container's
 * - wrong-status: the container's status does not allow the operation
 *   (`status` is the one it has, `wanted` the ones it would need)
 * - invalid-id: the id is not a valid container id
 * - bad-root: the state root cannot be made or is not private to the caller
 * - unresponsive: the container's init did not answer in time
 */
export type StateReason = 'not-found' | 'exists' | 'corrupt' | 'wrong-status' | 'invalid-id' | 'bad-root' | 'unresponsive';

interface StateErrorOptions extends ErrorOptions {
  status?: Status;
  wanted?: readonly Status[];
}

/** The container is missing, exists already, or is in the wrong status for the operation. */
export class StateError extends TsrunError {
  override name = 'StateError';
  readonly status?: Status;
  readonly wanted?: readonly Status[];
  constructor(
    readonly id: string,
    readonly reason: StateReason,
    message: string,
    options: StateErrorOptions = {},
  ) {
    const { status, wanted, ...errorOptions } = options;
    super(message, errorOptions);
    if (status !== undefined) this.status = status;
    if (wanted !== undefined) this.wanted = wanted;
  }
}
markErrorClass(StateError, 'StateError');

/** A cgroup file could not be created, written or removed. */
export class CgroupError extends TsrunError {
  override name = 'CgroupError';
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
markErrorClass(CgroupError, 'CgroupError');

/** A hook failed or timed out; `hook` names it, e.g. "createRuntime[0]". */
export class HookError extends TsrunError {
  override name = 'HookError';
  constructor(
    readonly hook: string,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
markErrorClass(HookError, 'HookError');

/** The C init reported a failed step. */
export class InitError extends TsrunError {
  override name = 'InitError';
  constructor(
    readonly step: string,
    readonly errno: number,
    readonly detail: string,
  ) {
    super(`${step}: ${detail}${errno ? `: ${errnoText(errno)}` : ''}`);
  }
}
markErrorClass(InitError, 'InitError');

/** A system call or helper program run from TypeScript failed, or its result was refused. */
export class SystemError extends TsrunError {
  override name = 'SystemError';
}
markErrorClass(SystemError, 'SystemError');

import { getSystemErrorMap } from 'node:util';

/** "EPERM (operation not permitted)" from a positive errno. */
export function errnoText(errno: number): string {
  const entry = getSystemErrorMap().get(-errno);
  return entry ? `${entry[0]} (${entry[1]})` : `errno ${errno}`;
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
