// Entry of dist/tsrun.cjs (scripts/build.mjs).
import { runCli } from './main.ts';

runCli(process.argv.slice(2));
