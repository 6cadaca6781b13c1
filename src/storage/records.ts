/**
 * Small JSON records with an atomic read-change-write, for what is neither a file nor a document:
 * accounts, app approvals, share links and their counters, throttling counters. On disk: a file
 * per record under a lock; on PostgreSQL: a row under SELECT … FOR UPDATE.
 */
export interface Records {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  /**
   * Reads, changes and writes one record atomically with every other process and instance:
   * `change` gets the current value (undefined: none) and returns the new one (undefined:
   * delete). It may throw to refuse; nothing is written then. Returns what was written.
   */
  update<T>(collection: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  list<T>(collection: string, keyPrefix?: string): AsyncIterable<{ key: string; value: T }>;
  remove(collection: string, key: string): Promise<boolean>;
}
