import { open } from 'node:fs/promises';

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes renames into a directory durable. A caller that arrives while an fsync of that directory
 * is running shares the next one, which starts once it ends: every caller is covered by an fsync
 * that began after its rename, and N concurrent uploads cost about two fsyncs instead of N.
 */
export class DirectorySync {
  private readonly running = new Map<string, Promise<void>>();
  private readonly next = new Map<string, Promise<void>>();

  constructor(private readonly fsync: (dir: string) => Promise<void> = fsyncDirectory) {}

  sync(dir: string): Promise<void> {
    const queued = this.next.get(dir);
    if (queued) return queued;
    const running = this.running.get(dir);
    if (!running) return this.start(dir);
    const after = running.catch(() => undefined).then(() => {
      this.next.delete(dir);
      return this.start(dir);
    });
    this.next.set(dir, after);
    return after;
  }

  private start(dir: string): Promise<void> {
    const run = this.fsync(dir).finally(() => {
      if (this.running.get(dir) === run) this.running.delete(dir);
    });
    this.running.set(dir, run);
    return run;
  }
}
