// Every failure tsrun reports is a TsrunError: one kind per layer, with the
// object it concerns as fields. Only src/cli/report.ts turns them into text.

export class TsrunError extends Error {
  override name = 'TsrunError';
}

/** Bad command line: unknown flag, missing argument. */
export class UsageError extends TsrunError {
  override name = 'UsageError';
}

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

/** The container is missing, exists already, or is in the wrong status for the operation. */
export class StateError extends TsrunError {
  override name = 'StateError';
  constructor(
    readonly id: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

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

/** A system call made from TypeScript failed (wraps Node's fs/addon errors). */
export class SystemError extends TsrunError {
  override name = 'SystemError';
}

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
