// `exec --process FILE`: the file holds one process object, checked by the
// very code that checks config.json's "process" (the same schema and the
// same semantic checks), so an exec can never reach tsrun-init with
// something create would have refused. Pointers are relative to the file:
// /args/0, /rlimits/2/type.
import { readFileSync } from 'node:fs';
import { errnoText, SpecError, type SpecProblem } from '../errors.ts';
import { parseJson, schemaProblems } from './load.ts';
import { semanticProblems } from './semantic-checks.ts';
import type { Process, Spec } from './types.ts';
import { SPEC_VERSION } from '../version.ts';

/** Problems of `document` as config.json's process, pointers rebased onto the process object. */
export function processDocumentProblems(document: unknown): SpecProblem[] {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return [{ pointer: '', reason: 'must be an object (a runtime-spec process)' }];
  }
  // A config around the process that is valid in every other respect.
  const wrapper = { ociVersion: SPEC_VERSION, root: { path: 'rootfs' }, process: document, linux: { namespaces: [{ type: 'mount' }] } };
  const rebase = (problems: SpecProblem[]): SpecProblem[] =>
    problems.filter((p) => p.pointer === '/process' || p.pointer.startsWith('/process/')).map((p) => ({ ...p, pointer: p.pointer.slice('/process'.length) }));
  const schema = rebase(schemaProblems(wrapper));
  if (schema.length > 0) return schema;
  return rebase(semanticProblems(wrapper as Spec));
}

export function loadProcessFile(file: string): Process {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(file, [{ pointer: '', reason: `cannot read the process file: ${e.errno ? errnoText(-e.errno) : e.message}` }], { cause: err });
  }
  const document = parseJson(file, text);
  const problems = processDocumentProblems(document);
  if (problems.length > 0) throw new SpecError(file, problems);
  return document as Process;
}
