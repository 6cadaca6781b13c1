import { closeSync, constants, fdatasync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';

const datasync = promisify(fdatasync);

/**
 * Writes a file's record (its metadata) and waits until it is on the disk: the file it describes
 * is renamed into place only after this, so a crash or a power cut never leaves a file without its
 * record. The small write is made in line (microseconds); only the flush waits in libuv's pool. No
 * O_TRUNC: ext4 writes a file truncated to nothing out at close (auto_da_alloc), a disk write nobody
 * needs; the file is cut to its new length instead.
 */
export async function writeRecordDurably(path: string, text: string, mode: number): Promise<void> {
  const bytes = Buffer.from(text);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, mode);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
    ftruncateSync(fd, bytes.length);
    await datasync(fd);
  } finally {
    closeSync(fd);
  }
}
