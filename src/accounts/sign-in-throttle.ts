import { clearTries, countTry, type ThrottleRule } from '../sharing/throttle.js';
import type { Clock } from '../sharing/clock.js';
import type { Records } from '../storage/records.js';

/**
 * How many sign-in tries are counted before the next is refused (429), per 15-minute window:
 * one address on one account; one address on all accounts; all addresses on one account.
 * Someone guessing from elsewhere can hold an account for one window at most, and the first two
 * limits refuse them long before the third. A right password clears only the count of its
 * address on its account (clearing the address's count would let a guesser reset it by signing in
 * to an account of their own).
 */
export const WINDOW_SECONDS = 15 * 60;
export const SIGN_IN_LIMITS = {
  accountAndAddress: { maxTries: 5, windowSeconds: WINDOW_SECONDS },
  address: { maxTries: 20, windowSeconds: WINDOW_SECONDS },
  account: { maxTries: 100, windowSeconds: WINDOW_SECONDS },
} as const satisfies Record<string, ThrottleRule>;

const ALL_ADDRESSES = '*';
const ANY_ACCOUNT = 'sign-in';
const accountKey = (name: string) => `account:${name}`;

/** Counts a try before the password is checked; a Refusal('throttled') when a limit is reached. */
export async function countSignIn(records: Records, name: string, address: string, now: Clock): Promise<void> {
  await countTry(records, accountKey(name), address, SIGN_IN_LIMITS.accountAndAddress, now);
  await countTry(records, ANY_ACCOUNT, address, SIGN_IN_LIMITS.address, now);
  await countTry(records, accountKey(name), ALL_ADDRESSES, SIGN_IN_LIMITS.account, now);
}

export async function signedIn(records: Records, name: string, address: string): Promise<void> {
  await clearTries(records, accountKey(name), address);
}
