import type { ShareLink } from '../../sharing/links.js';
import { linkState } from '../../sharing/links.js';

export const linkUrl = (baseUrl: string, id: string) => `${baseUrl}s/${id}`;

/** A link as its owner sees it: never the password hash. */
export function linkView(baseUrl: string, link: ShareLink, at: number) {
  return {
    id: link.id,
    url: linkUrl(baseUrl, link.id),
    file: link.file,
    created: link.created,
    expires: link.expires,
    maxDownloads: link.maxDownloads,
    downloads: link.downloads,
    lastUsed: link.lastUsed,
    note: link.note,
    password: link.passwordHash !== undefined,
    state: linkState(link, at),
    ...(link.revoked ? { revoked: link.revoked } : {}),
  };
}
