// Undo stack: each side effect of create registers its inverse as soon as
// it succeeds; on failure they run in reverse. A failing undo is reported
// as a warning and never hides the first error.
export class Rollback {
  private readonly undo: { what: string; fn: () => void | Promise<void> }[] = [];

  add(what: string, fn: () => void | Promise<void>): void {
    this.undo.push({ what, fn });
  }

  async run(warn: (msg: string) => void): Promise<void> {
    for (const { what, fn } of this.undo.reverse()) {
      try {
        await fn();
      } catch (err) {
        warn(`cleanup: ${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.undo.length = 0;
  }

  clear(): void {
    this.undo.length = 0;
  }
}
