import { randomBytes } from 'node:crypto';
import type { AppGrant } from '../auth/principal.js';
import type { Records } from '../storage/records.js';

/** What a person allowed an app (by origin) to do with their storage, remembered until revoked. */
export interface Approval {
  /** Names the approval in URLs and in its tokens' `grant` claim. */
  id: string;
  client: string;
  /** remoteStorage scope words: `notes:rw`, `*:r`. */
  scopes: string[];
  created: string;
  /** When the person last approved it (asking again adds scopes). */
  approved: string;
}

export const APPROVALS = 'app-approvals';
const keyOf = (user: string, client: string) => `${user}\n${client}`;

/** Records (or widens) the approval of `client` by `user`; its id stays, so earlier tokens keep working. */
export async function approve(records: Records, user: string, client: string, scopes: readonly string[], now: Date): Promise<Approval> {
  const at = now.toISOString();
  const made = await records.update<Approval>(APPROVALS, keyOf(user, client), (current) => ({
    id: current?.id ?? randomBytes(16).toString('base64url'),
    client,
    scopes: [...new Set([...(current?.scopes ?? []), ...scopes])].sort(),
    created: current?.created ?? at,
    approved: at,
  }));
  return made!;
}

export async function listApprovals(records: Records, user: string): Promise<Approval[]> {
  const all: Approval[] = [];
  for await (const { value } of records.list<Approval>(APPROVALS, `${user}\n`)) all.push(value);
  return all;
}

/** Whether the approval a token names still stands (it was not revoked, nor replaced). */
export async function stillApproved(records: Records, user: string, app: AppGrant): Promise<boolean> {
  const approval = await records.get<Approval>(APPROVALS, keyOf(user, app.client));
  return approval?.id === app.grant;
}

/** Ends an approval and with it every token of it; false when there was none with this id. */
export async function revokeApproval(records: Records, user: string, id: string): Promise<boolean> {
  for (const approval of await listApprovals(records, user)) {
    if (approval.id === id) return records.remove(APPROVALS, keyOf(user, approval.client));
  }
  return false;
}
