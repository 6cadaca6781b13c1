import type { Precondition } from '../../storage/documents.js';

/** `"a", "b"` → ['a', 'b'] (quotes and weak markers off; the storage keeps ETags without quotes). */
function tags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')).filter((tag) => tag !== '');
}

/** If-Match / If-None-Match of a write (§5: `*` and comma lists), for the storage to decide atomically. */
export function writePrecondition(headers: Record<string, string>): Precondition | undefined {
  const precondition: Precondition = {};
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  if (ifMatch !== undefined) precondition.ifMatch = tags(ifMatch);
  if (ifNoneMatch !== undefined) precondition.ifNoneMatch = tags(ifNoneMatch).includes('*') ? '*' : tags(ifNoneMatch);
  return ifMatch === undefined && ifNoneMatch === undefined ? undefined : precondition;
}

export const quoted = (etag: string) => `"${etag}"`;
