// Loads a command bundle (dist/commands/<name>.cjs) through vm.Script
// with a V8 code cache beside it (<name>.cjs.v8cache), so a call does not
// compile again what the last successful call of that command compiled:
// about 15 ms of a create on the 2-core VM (docs/ARCHITECTURE.md, "Build
// chain and start-up"). V8 checks the cache against the source, its own
// version and the flags, and compiles from source when any differs; but
// of the source it checks only the length, so the cache file starts with
// the bundle's own key (the content hash scripts/build.mjs appends, and
// the file's size and mtime for a bundle edited by hand).
//
// Both files are mapped, not read (the addon's mapText and mapFile): V8
// compiles from the page cache in place, where reading would copy each
// file twice into fresh pages, about 200 page faults and 5 ms of a create
// on the 2-core VM. A file must not change in place while it is mapped
// (a truncated one is SIGBUS): the build writes dist/ anew after removing
// it, and the cache writer renames; neither rewrites a file in place.
//
// The cache is written once the command has succeeded (flushCodeCaches),
// so it holds every function that call compiled, not only the top level;
// and again whenever V8 rejected it (a new build, another node). Writing
// is best effort: a read-only install works, without the cache. The file
// sits beside the bundle and is as trusted as the bundle is: whoever may
// write one may write the other.
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../state/atomic-file.ts';
import { native } from '../native/addon.ts';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

interface PendingCache {
  script: Script;
  file: string;
  key: string;
}

// Each command bundle carries its own copy of this module (run.ts flushes
// before it execs the front door): the list lives on the process.
const PENDING = Symbol.for('tsrun.pendingCodeCaches');
type WithPending = typeof globalThis & { [PENDING]?: PendingCache[] };

function pending(): PendingCache[] {
  const g = globalThis as WithPending;
  return (g[PENDING] ??= []);
}

/** The last line of a bundle: `//# bundle-hash=<hex>` (scripts/build.mjs). */
const HASH_LINE = /\/\/# bundle-hash=([0-9a-f]+)\n*$/;

function bundleKey(file: string, source: string): string {
  const st = statSync(file);
  return `tsrun-code-cache ${HASH_LINE.exec(source.slice(-120))?.[1] ?? '-'} ${st.size} ${st.mtimeMs}\n`;
}

/** The V8 data of a cache made for this very bundle, or undefined. */
function readCache(file: string, key: string): Buffer | undefined {
  let data: Buffer;
  try {
    const mapped = native().mapFile(file);
    if (!mapped) return undefined;
    data = Buffer.from(mapped);
  } catch {
    return undefined;
  }
  const header = Buffer.from(key);
  return data.length > header.length && data.subarray(0, header.length).equals(header) ? data.subarray(header.length) : undefined;
}

/**
 * The bundles' require(): esbuild has bundled everything but node's own
 * modules (scripts/build.mjs checks), so this is all they need, without
 * loading node:module for createRequire (0.6 ms of every call).
 */
const builtinRequire = ((id: string) => {
  const m = process.getBuiltinModule(id);
  if (!m) throw new Error(`a bundle may require only node's own modules, not ${id}`);
  return m;
}) as NodeJS.Require;

/** Evaluates a CommonJS bundle as node's loader would, with its code cache. */
export function loadBundle<T>(file: string): T {
  const cacheFile = `${file}.v8cache`;
  const text = native().mapText(file) ?? readFileSync(file, 'utf8');
  const key = bundleKey(file, text);
  const cachedData = readCache(cacheFile, key);
  // The bundle is node's CommonJS wrapper around the module (the build
  // writes it so): V8 compiles the file's text as it was read.
  const script = new Script(text, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} as T };
  (script.runInThisContext() as CommonJsWrapper)(mod.exports, builtinRequire, mod, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) pending().push({ script, file: cacheFile, key });
  return mod.exports;
}

/** Writes the caches of the bundles loaded so far; call once the command succeeded. */
export function flushCodeCaches(): void {
  for (const { script, file, key } of pending().splice(0)) {
    try {
      // Atomic: a concurrent call reads the old cache or the new one.
      writeFileAtomic(file, Buffer.concat([Buffer.from(key), script.createCachedData()]), 0o644);
    } catch {
      // a read-only install runs without the cache
    }
  }
}
