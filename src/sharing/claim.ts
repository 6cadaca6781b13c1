import type { Records } from '../storage/records.js';
import { isRefusal, Refusal } from './refusal.js';

/** Writes `value` under `key` only if nothing is there yet; false when the key was taken. */
export async function claimKey<T>(records: Records, collection: string, key: string, value: T): Promise<boolean> {
  try {
    await records.update<T>(collection, key, (current) => {
      if (current !== undefined) throw new Refusal('taken');
      return value;
    });
    return true;
  } catch (error) {
    if (isRefusal(error)) return false;
    throw error;
  }
}
