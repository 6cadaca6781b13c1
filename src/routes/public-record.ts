import type { FileRecord } from '../storage/store.js';

/** A file's facts as clients see them: never the download token's hash. */
export function publicRecord(record: FileRecord): Omit<FileRecord, 'downloadTokenHash'> {
  const { downloadTokenHash: _hidden, ...visible } = record;
  return visible;
}
