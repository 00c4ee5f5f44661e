// Loads a command bundle (dist/commands/<name>.cjs) with a V8 code cache
// beside it, so a call skips compiling the code it ran last time. The cache
// is written after the first run (and again whenever V8 rejects it: a new
// build or another node); writing is best effort, never an error.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

function saveCache(script: Script, file: string): void {
  try {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, file);
  } catch {
    // a read-only install keeps working without the cache
  }
}

export function loadBundledCommand(name: string): { default: unknown; HELP: unknown } {
  const file = `${dirname(fileURLToPath(import.meta.url))}/commands/${name}.cjs`;
  const cacheFile = `${file}.v8cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = { exports: {} as { default: unknown; HELP: unknown } };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  // After the run, so the cache holds the functions the command compiled.
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => saveCache(script, cacheFile));
  return mod.exports;
}
