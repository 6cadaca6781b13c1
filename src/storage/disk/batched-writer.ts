import type { FileHandle } from 'node:fs/promises';
import { FlushBehind } from './flush-behind.js';
import { rest } from './short-write.js';

/**
 * Bytes queued behind the write in flight before `push` waits for the disk (the body's backpressure).
 * 1 MiB measured higher peak RSS at 2 GiB (78 MiB against 69-71, and 125 once under load); 256 KiB stays flat.
 */
const MAX_QUEUED = 256 << 10;

/**
 * Appends buffers to a file from `position` on, one write in flight at a time: what arrives while
 * a write is out goes in the next one, together (one `writev`), instead of a thread-pool round trip
 * per socket chunk. No copies: the queued buffers are the ones pushed.
 */
export class BatchedWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  /** Earlier bytes are flushed while later ones are written. */
  private readonly behind: FlushBehind;
  /** The flushes are the session's (on a descriptor of their own, across PATCHes), not this writer's to wait for. */
  private readonly sessionWide: boolean;
  /** Bytes known to be written (handed to the kernel). */
  written = 0;

  /**
   * `behind`: the session's own flush-behind, counting the file's bytes from its start; without
   * one, this writer flushes behind its own writes on `handle` and waits for that before it settles.
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly position: number,
    behind?: FlushBehind,
  ) {
    this.sessionWide = behind !== undefined;
    this.behind = behind ?? new FlushBehind(() => handle.datasync());
  }

  /** Queues `buffer`; waits while too much is queued; throws the error of an earlier write. */
  async push(buffer: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (buffer.length === 0) return;
    this.queue.push(buffer);
    this.queued += buffer.length;
    this.inFlight ??= this.drain();
    if (this.queued >= MAX_QUEUED) await this.inFlight;
    if (this.failure) throw this.failure;
  }

  /** Waits until everything pushed is written; throws if a write (or a flush behind them) failed. */
  async flush(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    if (this.behind.error) throw this.behind.error;
  }

  /** Waits for the write in flight, and this writer's own flush, whatever their outcome (before truncating or closing the file). */
  async settle(): Promise<void> {
    await this.inFlight;
    if (!this.sessionWide) await this.behind.settle();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        let buffers = this.queue;
        this.queue = [];
        this.queued = 0;
        while (buffers.length > 0) {
          const { bytesWritten } = await this.handle.writev(buffers, this.position + this.written);
          this.written += bytesWritten;
          buffers = rest(buffers, bytesWritten);
        }
        this.behind.wrote(this.sessionWide ? this.position + this.written : this.written);
      }
    } catch (error) {
      this.failure ??= error;
      this.queue = [];
      this.queued = 0;
    } finally {
      this.inFlight = undefined;
    }
  }
}
