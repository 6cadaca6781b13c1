/**
 * Bytes written between flushes started while a large file is still being written. The page
 * cache of a machine with memory to spare holds a whole upload dirty (Linux starts writing back
 * only past `dirty_background_ratio`, 10 % of memory), so the flush before the file appears
 * would write all of it at the end, while the client waits. Flushing behind the writes spreads
 * that over the upload: measured here, 1 GiB written and flushed in 0.53–0.63 s instead of 1.07–1.2 s
 * (docs/performance.md, figure 1).
 */
export const FLUSH_BEHIND_BYTES = 32 << 20;

/**
 * Starts a flush (fdatasync, in libuv's pool) each time another FLUSH_BEHIND_BYTES have been
 * written and none is under way; never waits for one. The final flush, which every caller still
 * makes, then finds little left. A failed flush is kept in `error` (the upload must fail: the
 * kernel may have dropped the pages it could not write).
 */
export class FlushBehind {
  private flushedUpTo = 0;
  private running: Promise<void> | undefined;
  /** The error of a flush that failed: the file is then not safe to keep. */
  error: Error | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  /** Tells it that the file now holds `written` bytes; may start a flush. */
  wrote(written: number): void {
    if (this.running || this.error || written - this.flushedUpTo < FLUSH_BEHIND_BYTES) return;
    this.flushedUpTo = written;
    this.running = this.flush().then(
      () => { this.running = undefined; },
      (error: unknown) => {
        this.error ??= error instanceof Error ? error : new Error(String(error));
        this.running = undefined;
      },
    );
  }

  /** Whether a flush is under way (the file must not be closed before it ends). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Waits for the flush under way, if any, whatever its outcome. */
  async settle(): Promise<void> {
    await this.running;
  }
}
