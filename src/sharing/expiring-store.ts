import type { Records } from '../storage/records.js';
import type { ByteRange, FileRecord, OpenedFile, Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import { expiriesOf, expiryOf } from './expiry-records.js';

/**
 * The files as every route reads them: a file past its expiry is gone on every read (stat,
 * open, list) from the millisecond it expires, whether or not the sweep has deleted it yet.
 */
export function expiringStore(store: Store, records: Records, now: Clock): Store {
  const expired = async (user: string, id: string) => {
    const expires = await expiryOf(records, user, id);
    return expires !== undefined && expires.getTime() <= now();
  };
  const wrapped: Store = {
    check: () => store.check(),
    begin: (user, meta, reservation) => store.begin(user, meta, reservation),
    async stat(user: string, id: string): Promise<FileRecord | undefined> {
      const record = await store.stat(user, id);
      return record && !(await expired(user, id)) ? record : undefined;
    },
    async open(user: string, id: string, range?: ByteRange): Promise<OpenedFile | undefined> {
      if (await expired(user, id)) return undefined;
      return store.open(user, id, range);
    },
    async *list(user: string): AsyncIterable<FileRecord> {
      const expiries = await expiriesOf(records, user);
      const at = now();
      for await (const record of store.list(user)) {
        const expires = expiries.get(record.id);
        if (expires === undefined || expires.getTime() > at) yield record;
      }
    },
    users: () => store.users(),
    remove: (user, id) => store.remove(user, id),
    sweep: (olderThanSeconds, user) => store.sweep(olderThanSeconds, user),
  };
  if (store.reserve) wrapped.reserve = (user, bytes, quota, exact) => store.reserve!(user, bytes, quota, exact);
  return wrapped;
}
