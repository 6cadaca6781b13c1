import type { Records } from '../storage/records.js';
import type { Clock } from './clock.js';
import { Refusal } from './refusal.js';

const COLLECTION = 'password-tries';

export interface ThrottleRule {
  /** Password tries one address may make on one link within `windowSeconds`. */
  maxTries: number;
  windowSeconds: number;
}

interface Tries {
  windowStart: number;
  tries: number;
}

/**
 * Counts one password try of `address` on a link, atomically across processes and instances,
 * BEFORE the password is checked: once `maxTries` were made within the window, the next is a
 * Refusal('throttled') with the seconds until the window ends. A right password clears the count.
 */
export async function countTry(records: Records, link: string, address: string, rule: ThrottleRule, now: Clock): Promise<void> {
  const at = now();
  await records.update<Tries>(COLLECTION, `${link}|${address}`, (current) => {
    const fresh = !current || at - current.windowStart >= rule.windowSeconds * 1000;
    const tries = fresh ? { windowStart: at, tries: 0 } : current;
    if (tries.tries >= rule.maxTries) {
      throw new Refusal('throttled', Math.max(1, Math.ceil((tries.windowStart + rule.windowSeconds * 1000 - at) / 1000)));
    }
    return { windowStart: tries.windowStart, tries: tries.tries + 1 };
  });
}

export async function clearTries(records: Records, link: string, address: string): Promise<void> {
  await records.remove(COLLECTION, `${link}|${address}`);
}
