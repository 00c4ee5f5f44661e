// loadSpec: <bundle>/config.json → a Spec that passed the schema and the
// semantic checks, or one SpecError listing every problem with its pointer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoText, SpecError, type SpecProblem } from '../errors.ts';
import { validateConfig, type ValidationError } from './generated/validate-config.js';
import { semanticProblems } from './semantic-checks.ts';
import type { Spec } from './types.ts';

export function loadSpec(bundleDir: string): Spec {
  const file = join(bundleDir, 'config.json');
  const document = parseJson(file, readConfig(file, bundleDir));
  // The semantic checks read typed fields, so they run on a schema-valid
  // document only; on any other they would report noise.
  const schema = schemaProblems(document);
  if (schema.length > 0) throw new SpecError(file, schema);
  const spec = document as Spec;
  const semantic = semanticProblems(spec);
  if (semantic.length > 0) throw new SpecError(file, semantic);
  return spec;
}

function readConfig(file: string, bundleDir: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.code === 'ENOENT'
        ? `no config.json in bundle ${bundleDir}: write one, e.g. with "tsrun spec"`
        : `cannot read the file: ${e.errno ? errnoText(-e.errno) : e.message}`;
    throw new SpecError(file, [{ pointer: '', reason }], { cause: err });
  }
}

export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message has no position for some errors ("Unexpected token"), so
    // find the place with our own scan of the text.
    const found = locateSyntaxError(text);
    const reason = found ? `invalid JSON at line ${found.line} column ${found.column}: ${found.reason}` : `invalid JSON: ${(err as Error).message}`;
    throw new SpecError(file, [{ pointer: '', reason }], { cause: err });
  }
}

// ---- ajv errors → problems ----

const ARTICLE: Record<string, string> = {
  array: 'an array',
  boolean: 'a boolean (true or false)',
  integer: 'an integer',
  number: 'a number',
  object: 'an object',
  string: 'a string',
  null: 'null',
};

const REASONS: Record<string, (params: Record<string, unknown>) => string> = {
  required: (p) => `missing required property ${JSON.stringify(p.missingProperty)}`,
  type: (p) => `must be ${ARTICLE[String(p.type)] ?? String(p.type)}`,
  enum: (p) => `must be one of ${(p.allowedValues as unknown[]).map(String).sort().join(', ')}`,
  minimum: (p) => `must be at least ${String(p.limit)}`,
  maximum: (p) => `must be at most ${String(p.limit)}`,
  pattern: (p) => `must match the pattern ${String(p.pattern)}`,
  minItems: (p) => `must have at least ${String(p.limit)} element${p.limit === 1 ? '' : 's'}`,
};

function reasonOf(error: ValidationError): string {
  const reason = REASONS[error.keyword];
  return reason ? reason(error.params) : (error.message ?? `violates the schema rule ${error.schemaPath}`);
}

/** Every schema violation, each once, in the validator's order. */
export function schemaProblems(document: unknown): SpecProblem[] {
  if (validateConfig(document)) return [];
  const seen = new Set<string>();
  const out: SpecProblem[] = [];
  for (const error of validateConfig.errors ?? []) {
    const p = { pointer: error.instancePath, reason: reasonOf(error) };
    const key = `${p.pointer}\0${p.reason}`;
    if (!seen.has(key)) out.push(p);
    seen.add(key);
  }
  return out;
}

// ---- JSON syntax error position ----

interface SyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * Scans `text` as JSON (RFC 8259) and returns where the first syntax error
 * is, 1-based, or undefined if the scan finds none.
 */
export function locateSyntaxError(text: string): SyntaxProblem | undefined {
  let i = 0;
  const found = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw new JsonSyntax(i, `expected ${expected}, found ${found()}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail("a closing '\"'");
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail('an escaped control character (such as \\n) inside a string');
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i++;
        } else if (e === 'u') {
          i++;
          HEX4.lastIndex = i;
          if (!HEX4.test(text)) fail('four hex digits after \\u');
          i += 4;
        } else {
          fail('an escape such as \\n, \\" or \\u0041');
        }
      } else {
        i++;
      }
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        skipSpace();
        if (text[i] !== ':') fail("':' after the property name");
        i++;
        value();
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail("',' or '}' after the property value");
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail("',' or ']' after the array element");
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail('a value (object, array, string, number, true, false or null)');
  };

  try {
    value();
    skipSpace();
    if (i < text.length) fail('the end of the file after the JSON value');
    return undefined;
  } catch (err) {
    // Anything else (a RangeError from absurd nesting) leaves V8's message.
    if (!(err instanceof JsonSyntax)) return undefined;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - before.lastIndexOf('\n');
    return { line, column, reason: err.reason };
  }
}
