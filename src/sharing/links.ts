import type { Records } from '../storage/records.js';
import type { Clock } from './clock.js';
import { claimNewId, LINK_ID, LINK_ID_LENGTH } from './ids.js';
import { claimKey } from './claim.js';
import { Refusal } from './refusal.js';

const LINKS = 'share-links';
/** `<owner>/<link id>` → {}: an owner's links, listed by prefix (user names hold no `/`). */
const BY_OWNER = 'share-links-by-owner';

export interface ShareLink {
  id: string;
  owner: string;
  file: string;
  created: string;
  /** ISO time, or null: never (only where SHARE_LINK_MAX_DAYS is 0). */
  expires: string | null;
  /** null: no limit; 1: one-time. */
  maxDownloads: number | null;
  downloads: number;
  lastUsed: string | null;
  note: string;
  /** scrypt hash (password.ts), or absent. */
  passwordHash?: string;
  revoked?: string;
}

export type LinkState = 'active' | 'revoked' | 'expired' | 'exhausted';

export function linkState(link: ShareLink, at: number): LinkState {
  if (link.revoked) return 'revoked';
  if (link.expires !== null && Date.parse(link.expires) <= at) return 'expired';
  if (link.maxDownloads !== null && link.downloads >= link.maxDownloads) return 'exhausted';
  return 'active';
}

export interface NewLink {
  owner: string;
  file: string;
  expires: string | null;
  maxDownloads: number | null;
  note: string;
  passwordHash?: string;
}

export async function createLink(records: Records, wanted: NewLink, now: Clock): Promise<ShareLink> {
  const created = new Date(now()).toISOString();
  const made = (id: string): ShareLink => ({ id, ...wanted, created, downloads: 0, lastUsed: null });
  const id = await claimNewId(LINK_ID_LENGTH, (id) => claimKey(records, LINKS, id, made(id)));
  await records.update(BY_OWNER, `${wanted.owner}/${id}`, () => ({}));
  return made(id);
}

export function getLink(records: Records, id: string): Promise<ShareLink | undefined> {
  return records.get<ShareLink>(LINKS, id);
}

/**
 * Takes one download of an active link, atomically with every other download on any instance:
 * the count is written before a byte is sent, so a one-time link serves exactly one. A link that
 * is not active is a Refusal naming its state ('missing' when there is none).
 */
export async function takeDownload(records: Records, id: string, now: Clock): Promise<ShareLink> {
  const at = now();
  const taken = await records.update<ShareLink>(LINKS, id, (link) => {
    if (!link) throw new Refusal('missing');
    const state = linkState(link, at);
    if (state !== 'active') throw new Refusal(state);
    return { ...link, downloads: link.downloads + 1, lastUsed: new Date(at).toISOString() };
  });
  return taken!;
}

/** Gives a taken download back (the file was gone, the body was never started). */
export async function giveBackDownload(records: Records, id: string): Promise<void> {
  await records.update<ShareLink>(LINKS, id, (link) => (link ? { ...link, downloads: Math.max(0, link.downloads - 1) } : undefined));
}

export async function revokeLink(records: Records, owner: string, id: string, now: Clock): Promise<ShareLink | undefined> {
  if (!LINK_ID.test(id)) throw new Refusal('missing');
  return records.update<ShareLink>(LINKS, id, (link) => {
    if (!link || link.owner !== owner) throw new Refusal('missing');
    return link.revoked ? link : { ...link, revoked: new Date(now()).toISOString() };
  });
}

export async function listLinks(records: Records, owner: string): Promise<ShareLink[]> {
  const links: ShareLink[] = [];
  for await (const { key } of records.list(BY_OWNER, `${owner}/`)) {
    const link = await getLink(records, key.slice(owner.length + 1));
    if (link && link.owner === owner) links.push(link);
  }
  return links.sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
}

/** Forgets every link of a file (the file was deleted or expired). */
export async function forgetLinksOf(records: Records, owner: string, file: string): Promise<void> {
  for (const link of await listLinks(records, owner)) {
    if (link.file !== file) continue;
    await records.remove(LINKS, link.id);
    await records.remove(BY_OWNER, `${owner}/${link.id}`);
  }
}
