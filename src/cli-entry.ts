// Entry of dist/tsrun.cjs when run without the start-up snapshot.
import { runCli } from './main.ts';

runCli(process.argv.slice(2));
