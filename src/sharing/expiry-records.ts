import type { Records } from '../storage/records.js';

/** `<owner>/<file id>` → when the file expires. */
export const RETENTION = 'retention';

export interface Expiry {
  expires: string;
}

export async function setExpiry(records: Records, owner: string, file: string, expires: Date): Promise<void> {
  await records.update<Expiry>(RETENTION, `${owner}/${file}`, () => ({ expires: expires.toISOString() }));
}

export async function expiryOf(records: Records, owner: string, file: string): Promise<Date | undefined> {
  const expiry = await records.get<Expiry>(RETENTION, `${owner}/${file}`);
  return expiry ? new Date(expiry.expires) : undefined;
}

/** The owner's files that have an expiry: file id → when. */
export async function expiriesOf(records: Records, owner: string): Promise<Map<string, Date>> {
  const found = new Map<string, Date>();
  for await (const { key, value } of records.list<Expiry>(RETENTION, `${owner}/`)) found.set(key.slice(owner.length + 1), new Date(value.expires));
  return found;
}

export async function dropExpiry(records: Records, owner: string, file: string): Promise<void> {
  await records.remove(RETENTION, `${owner}/${file}`);
}
