import type { FileRecord, Store } from '../storage/store.js';

/** Newest first; the id breaks ties so the order is stable. */
export function newestFirst(a: FileRecord, b: FileRecord): number {
  return b.uploaded.localeCompare(a.uploaded) || b.id.localeCompare(a.id);
}

/** The newest file a user uploaded under a name. */
export async function newestByName(store: Store, user: string, name: string): Promise<FileRecord | undefined> {
  let newest: FileRecord | undefined;
  for await (const record of store.list(user)) {
    if (record.name === name && (!newest || newestFirst(record, newest) < 0)) newest = record;
  }
  return newest;
}
