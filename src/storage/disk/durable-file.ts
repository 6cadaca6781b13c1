import { closeSync, fdatasync, open, writev, writevSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { StorageModes } from '../file-modes.js';
import { FlushBehind } from './flush-behind.js';
import { rest } from './short-write.js';

/**
 * Bytes of a file written synchronously before its writes go to libuv's thread pool. A write
 * into the page cache takes microseconds; a thread-pool round trip costs the main thread more
 * than that (a futex wake, an eventfd, a callback), so a small upload's bytes and its close are
 * written in line and only its open and flush (fdatasync) leave the main thread. Past this many bytes the
 * writes are asynchronous, so a large upload that the kernel throttles (too many dirty pages)
 * waits in the pool, not on the event loop.
 */
export const SYNC_WRITE_LIMIT = 64 << 10;

const openDescriptor = promisify(open);
const datasync = promisify(fdatasync);

/**
 * A new file (O_EXCL) as a Writable whose end is durable: `finish` comes only after the bytes are
 * flushed (fdatasync) and the file is closed. Destroyed, it closes the file (its removal is the caller's).
 */
export class DurableFile extends Writable {
  private fd: number;
  private written = 0;
  /** A thread-pool call on `fd` is under way: closing it now could hand its number to another file first. */
  private busy = false;
  private closeWhenIdle: (() => void) | undefined;
  /** A large file's earlier bytes are flushed while later ones are written. */
  private readonly behind = new FlushBehind(() => datasync(this.fd));

  private constructor(fd: number) {
    super({ decodeStrings: true });
    this.fd = fd;
  }

  /** Makes the file at `path` (which must not exist) with `mode`. */
  static async create(path: string, mode: number): Promise<DurableFile> {
    return new DurableFile(await openDescriptor(path, 'wx', mode));
  }

  /** As create(), in directory `dir`, which is made only when that finds it missing (once per user, not per upload). */
  static async createIn(dir: string, path: string, modes: StorageModes): Promise<DurableFile> {
    try {
      return await DurableFile.create(path, modes.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true, mode: modes.dir });
      return DurableFile.create(path, modes.file);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    let buffers = chunks.map(({ chunk }) => chunk);
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    if (this.written + total <= SYNC_WRITE_LIMIT) {
      try {
        while (buffers.length > 0) {
          const n = writevSync(this.fd, buffers, this.written);
          this.written += n;
          buffers = rest(buffers, n);
        }
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
      return;
    }
    const next = (error: Error | null, n: number) => {
      if (!error) {
        this.written += n;
        buffers = rest(buffers, n);
        if (buffers.length > 0 && !this.closeWhenIdle) {
          writev(this.fd, buffers, this.written, next);
          return;
        }
        if (!this.closeWhenIdle) this.flushBehind();
      }
      this.idle();
      callback(error ?? this.behind.error);
    };
    this.busy = true;
    writev(this.fd, buffers, this.written, next);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.busy = true;
    const flush = () => {
      if (this.behind.error) {
        this.idle();
        return callback(this.behind.error);
      }
      fdatasync(this.fd, (error) => this.finalFlushed(error, callback));
    };
    // The flush behind the writes ends first: one flush at a time on the descriptor.
    if (this.behind.busy) void this.behind.settle().then(flush);
    else flush();
  }

  private finalFlushed(error: Error | null, callback: (error?: Error | null) => void): void {
    this.idle();
    if (error) return callback(error);
    try {
      this.closeFile();
    } catch (closeError) {
      return callback(closeError as Error);
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const close = () => {
      try {
        this.closeFile();
      } catch {
        // The stream is being torn down for `error` already; a failed close adds nothing.
      }
      callback(error);
    };
    if (this.busy || this.behind.busy) this.closeWhenIdle = close;
    else close();
  }

  private flushBehind(): void {
    this.behind.wrote(this.written);
    if (this.behind.busy) void this.behind.settle().then(() => this.idle(false));
  }

  private idle(ownCall = true): void {
    if (ownCall) this.busy = false;
    if (this.busy || this.behind.busy) return;
    const close = this.closeWhenIdle;
    this.closeWhenIdle = undefined;
    close?.();
  }

  private closeFile(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }
}
