import { spawnSync } from 'node:child_process';

/**
 * Writes every dirty page out (sync(1)) before a measurement, so that no server is timed while
 * the kernel writes back what the one before it left unflushed (the pipe-to-file baseline
 * fsyncs nothing: its thousands of files would otherwise be written out during the next run).
 */
export function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}
