import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
/** Random bytes drawn 64 ids at a time: one call into OpenSSL per 64 ids instead of one each. */
const pool = Buffer.alloc(ID_BYTES * 64);
let used = pool.length;

/** A new id: 128 random bits as 32 lowercase hex digits (a file's, an upload's or a session's). */
export function newId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString('hex', used, used + ID_BYTES);
  used += ID_BYTES;
  return id;
}
