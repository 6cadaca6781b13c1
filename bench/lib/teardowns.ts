/** What the service helpers need of their owner: a tap test's `t`, or the bench's own Teardowns. */
export interface Owner {
  teardown(fn: () => unknown): unknown;
}

/** Teardowns for code that has no tap test: run last-first by `run()`, each even if one before it threw. */
export class Teardowns implements Owner {
  private readonly fns: Array<() => unknown> = [];

  teardown(fn: () => unknown): void {
    this.fns.push(fn);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
