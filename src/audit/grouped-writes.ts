/**
 * Runs `write` for lines as they come, one at a time; lines that arrive while a write is under
 * way wait and go together in the next one. Each caller's promise settles with the write that
 * carried its lines. Many requests at once then share one write instead of queueing a file
 * open, write and close each.
 */
export class GroupedWrites<Line> {
  private waiting: { lines: Line[]; settle: (error?: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly write: (lines: Line[]) => Promise<void>) {}

  add(lines: Line[]): Promise<void> {
    if (!lines.length) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.push({ lines, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    });
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const group = this.waiting;
      this.waiting = [];
      let failure: unknown;
      try {
        await this.write(group.flatMap((entry) => entry.lines));
      } catch (error) {
        failure = error ?? new Error('the audit write failed');
      }
      for (const entry of group) entry.settle(failure);
    }
    this.writing = false;
  }
}
