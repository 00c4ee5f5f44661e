// Run the real CLI (bin/tsrun) with a private --root per test file.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestLike } from './bundle.ts';

export const TSRUN = resolve(import.meta.dirname, '../../bin/tsrun');

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class Tsrun {
  readonly root: string;
  private ids = new Set<string>();
  private counter = 0;

  constructor(t: TestLike) {
    this.root = mkdtempSync(join(tmpdir(), 'tsrun-root-'));
    t.teardown(() => this.cleanup());
  }

  /** A fresh container id, deleted (forced) at teardown. */
  id(prefix = 'c'): string {
    const id = `${prefix}-${process.pid}-${++this.counter}`;
    this.ids.add(id);
    return id;
  }

  /**
   * Output goes through files, not pipes: a created or detached container
   * keeps tsrun's stdout and stderr open (they are its stdio), so a pipe
   * would not reach EOF until the container exits.
   */
  run(args: string[], opts: SpawnSyncOptions = {}): Result {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const dir = mkdtempSync(join(tmpdir(), 'tsrun-out-'));
    const out = openSync(join(dir, 'out'), 'w+');
    const err = openSync(join(dir, 'err'), 'w+');
    try {
      // With opts.input, stdin is a pipe that carries it (update -r -).
      const stdin = opts.input !== undefined ? 'pipe' : 'ignore';
      const r = spawnSync(TSRUN, ['--root', this.root, ...args], { timeout: 60_000, env, ...opts, stdio: [stdin, out, err] });
      return {
        status: r.status,
        signal: r.signal,
        stdout: readFileSync(join(dir, 'out'), 'utf8'),
        stderr: readFileSync(join(dir, 'err'), 'utf8'),
      };
    } finally {
      closeSync(out);
      closeSync(err);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  state(id: string): any {
    const r = this.run(['state', id]);
    if (r.status !== 0) throw new Error(`state ${id}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  cleanup(): void {
    for (const id of this.ids) this.run(['delete', '--force', id]);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Container directories still under this root. */
  leftovers(): string[] {
    try {
      return readdirSync(this.root);
    } catch {
      return [];
    }
  }
}
