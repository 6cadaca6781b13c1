/**
 * The names Records accept, the same on every backend. Collections are named by bdfu itself
 * (`accounts`, `share-links`): short, plain, no dots. Keys are data (a user name, an app's
 * origin, a link id): any well-formed Unicode of 1 to MAX_RECORD_KEY_LENGTH characters but NUL
 * (which PostgreSQL text cannot hold). Anything else is a bug in the caller: a RangeError.
 * Every backend lists records in key order by code point (PostgreSQL: COLLATE "C").
 */
const COLLECTION = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_RECORD_KEY_LENGTH = 4096;

export function assertCollectionName(collection: string): void {
  if (!COLLECTION.test(collection)) throw new RangeError(`the record collection name ${JSON.stringify(collection.slice(0, 80))} is not [a-z0-9][a-z0-9_-]{0,63}`);
}

export function assertRecordKey(key: string): void {
  if (key === '' || key.length > MAX_RECORD_KEY_LENGTH || !key.isWellFormed() || key.includes('\u0000')) {
    throw new RangeError(`a record key must be well-formed Unicode of 1 to ${MAX_RECORD_KEY_LENGTH} characters, without NUL`);
  }
}
