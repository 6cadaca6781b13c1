import { Writable } from 'node:stream';
import type { PendingWrite, Reservation, Store, UploadMeta } from '../../src/storage/store.js';

/**
 * A store whose uploads fail with an errno after `after` bytes, as a full or broken disk would:
 * the failure is injected at the storage seam, in front of a real store that does the rest.
 */
export class FailingStore implements Store {
  failure: { code: 'ENOSPC' | 'EIO' | 'EDQUOT'; after: number } | undefined;

  constructor(readonly inner: Store) {}

  check() {
    return this.inner.check();
  }

  reserve(user: string, bytes: number, quota: { bytes: number; files: number }, exact: boolean): Promise<Reservation> {
    return this.inner.reserve!(user, bytes, quota, exact);
  }

  async begin(user: string, meta: UploadMeta, reservation?: Reservation): Promise<PendingWrite> {
    const pending = await this.inner.begin(user, meta, reservation);
    const failure = this.failure;
    if (!failure) return pending;
    let written = 0;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        if (written > failure.after) callback(Object.assign(new Error(`${failure.code}: injected write failure`), { code: failure.code }));
        else pending.stream.write(chunk, callback);
      },
      final(callback) {
        pending.stream.end(callback);
      },
    });
    return {
      id: pending.id,
      stream,
      commit: (facts) => pending.commit(facts),
      abort: async () => {
        stream.destroy();
        await pending.abort();
      },
    };
  }

  stat(user: string, id: string) {
    return this.inner.stat(user, id);
  }

  open(...args: Parameters<Store['open']>) {
    return this.inner.open(...args);
  }

  list(user: string) {
    return this.inner.list(user);
  }

  users() {
    return this.inner.users();
  }

  remove(user: string, id: string) {
    return this.inner.remove(user, id);
  }

  sweep(olderThanSeconds: number, user?: string) {
    return this.inner.sweep(olderThanSeconds, user);
  }
}
