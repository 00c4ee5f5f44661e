// Build the JS side: generate the ajv standalone validators, then bundle
// the CLI as CommonJS: dist/tsrun.cjs (the entry: global flags, errors,
// dispatch, help) and one bundle per command, dist/commands/<name>.cjs,
// required only when that command runs. Why each step, with the figures:
// docs/ARCHITECTURE.md, "Build chain and start-up".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { build } from 'esbuild';

execFileSync(process.execPath, ['scripts/compile-validators.mjs'], { stdio: 'inherit' });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // import() of a command bundle becomes require(): no ESM loader at run time.
  supported: { 'dynamic-import': false },
  // import.meta does not exist in CommonJS: its dirname and filename are
  // CommonJS's own. (No import.meta.url: building a file URL and turning it
  // back into a path initialises node's URL parser, ~2 ms of every call.)
  define: { 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
};

/**
 * An import() in the source marks a module to load only when that line
 * runs: the entry's import() of a command, and a command's import() of a
 * part few of its calls need (exec's --process file and its checks). Each
 * such module is a bundle of its own, loaded with its V8 code cache
 * (src/cli/code-cache.ts); in its place goes a stand-in that loads it and
 * re-exports its names, so that import() gives what it gives under tsx.
 */
function lazyBundles(dir, found) {
  return {
    name: 'lazy-bundles',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        // Relative: the build machine's own paths stay out of the bundles.
        const source = relative(process.cwd(), resolve(args.resolveDir, args.path));
        // The bundle is named after the file: two files of one name would load one bundle.
        const name = source.slice(source.lastIndexOf('/') + 1, -'.ts'.length);
        if ((found.get(name) ?? source) !== source) throw new Error(`lazy bundle ${name}: both ${found.get(name)} and ${source}`);
        found.set(name, source);
        return { path: source, namespace: 'lazy-bundle', pluginData: { name } };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-bundle' }, async (args) => {
        const exports = await exportNames(args.path);
        return {
          contents:
            `import { loadBundle } from './code-cache.ts';\n` +
            `const m = loadBundle(__dirname + ${JSON.stringify(`${dir}${args.pluginData.name}.cjs`)});\n` +
            exports.map((e) => (e === 'default' ? 'export default m.default;\n' : `export const ${e} = m.${e};\n`)).join(''),
          resolveDir: resolve('src/cli'),
          loader: 'js',
        };
      });
    },
  };
}

/** The names a module exports, as esbuild reads them. */
async function exportNames(file) {
  const r = await build({ entryPoints: [file], bundle: false, write: false, metafile: true, format: 'esm', logLevel: 'silent' });
  return Object.values(r.metafile.outputs)[0].exports;
}

/**
 * Writes the bundles ASCII-only, each with its content hash as the last
 * line. esbuild escapes strings already; what is left (comments, a regex
 * literal) becomes \uXXXX, which means the same there. V8 keeps an
 * all-ASCII source as one byte a character: reading and scanning
 * create.cjs takes about 4 ms less than with one "→" in a comment.
 */
function writeBundles(result, { wrap }) {
  for (const out of result.outputFiles) {
    mkdirSync(dirname(out.path), { recursive: true });
    let text = out.text.replace(/[^\t\n\r\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    // A lazily loaded bundle is written inside node's CommonJS wrapper (on
    // its first line, as node puts it): V8 compiles the file's own text,
    // not a 300 KB copy of it with the wrapper around.
    if (wrap) {
      text = `(function (exports, require, module, __filename, __dirname) {${text}\n})\n`;
      // Its require() gives node's own modules only (src/cli/code-cache.ts).
      for (const [, id] of text.matchAll(/\brequire\("([^"]+)"\)/g)) {
        if (!isBuiltin(id))
          throw new Error(`${relative(process.cwd(), out.path)}: require("${id}"): a lazily loaded bundle may require only node's own modules`);
      }
    }
    // The key of the bundle's V8 code cache (src/cli/code-cache.ts): V8
    // itself compares only the length of the source.
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
    writeFileSync(out.path, `${text}//# bundle-hash=${hash}\n`);
  }
}

const commands = readdirSync('src/cli/commands').filter((f) => f.endsWith('.ts'));
/** What the commands import(): bundled into dist/lazy/. */
const lazyEntries = new Map();
const entryBuild = { entryPoints: ['src/cli-entry.ts'], outfile: 'dist/tsrun.cjs', plugins: [lazyBundles('/commands/', new Map())] };
const commandsBuild = {
  entryPoints: commands.map((f) => `src/cli/commands/${f}`),
  outdir: 'dist/commands',
  outExtension: { '.js': '.cjs' },
  plugins: [lazyBundles('/../lazy/', lazyEntries)],
};
rmSync('dist', { recursive: true, force: true });
writeBundles(await build({ ...common, ...entryBuild, write: false }), { wrap: false });
writeBundles(await build({ ...common, ...commandsBuild, write: false }), { wrap: true });
// After the commands, which fill lazyEntries (an import() there is not split again).
if (lazyEntries.size > 0) {
  const lazyBuild = { entryPoints: [...lazyEntries.values()], outdir: 'dist/lazy', outExtension: { '.js': '.cjs' } };
  writeBundles(await build({ ...common, ...lazyBuild, write: false }), { wrap: true });
}
