// Build the JS side: generate the ajv standalone validators, then bundle
// the CLI as CommonJS: dist/tsrun.cjs (the entry: global flags, errors,
// dispatch, help) and one bundle per command, dist/commands/<name>.cjs,
// required only when that command runs. Why each step, with the figures:
// docs/ARCHITECTURE.md, "Build chain and start-up".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
 * The entry's import() of a command module becomes a load of that
 * command's bundle, with its V8 code cache (src/cli/code-cache.ts).
 * Re-exporting default and HELP (rather than handing over module.exports)
 * keeps the run function at .default, as under tsx: a CommonJS module
 * given to import() would put it at .default.default.
 */
const splitCommands = {
  name: 'split-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\/commands\/[a-z-]+\.ts$/ }, (args) => ({
      path: args.path.slice('./cli/commands/'.length, -3),
      namespace: 'command-bundle',
    }));
    b.onLoad({ filter: /.*/, namespace: 'command-bundle' }, (args) => ({
      contents:
        `import { loadBundle } from './code-cache.ts';\n` +
        `const m = loadBundle(__dirname + ${JSON.stringify(`/commands/${args.path}.cjs`)});\n` +
        `export default m.default;\nexport const HELP = m.HELP;\n`,
      resolveDir: resolve('src/cli'),
      loader: 'js',
    }));
  },
};

/**
 * Writes the bundles ASCII-only, each with its content hash as the last
 * line. esbuild escapes strings already; what is left (comments, a regex
 * literal) becomes \uXXXX, which means the same there. V8 keeps an
 * all-ASCII source as one byte a character: reading and scanning
 * create.cjs takes about 4 ms less than with one "→" in a comment.
 */
function writeBundles(result) {
  for (const out of result.outputFiles) {
    mkdirSync(dirname(out.path), { recursive: true });
    const text = out.text.replace(/[^\t\n\r\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    // The key of the bundle's V8 code cache (src/cli/code-cache.ts): V8
    // itself compares only the length of the source.
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
    writeFileSync(out.path, `${text}//# bundle-hash=${hash}\n`);
  }
}

const commands = readdirSync('src/cli/commands').filter((f) => f.endsWith('.ts'));
rmSync('dist', { recursive: true, force: true });
writeBundles(await build({ ...common, write: false, entryPoints: ['src/cli-entry.ts'], outfile: 'dist/tsrun.cjs', plugins: [splitCommands] }));
writeBundles(
  await build({
    ...common,
    write: false,
    entryPoints: commands.map((f) => `src/cli/commands/${f}`),
    outdir: 'dist/commands',
    outExtension: { '.js': '.cjs' },
  }),
);
