/** RFC 9110 §13: whether a GET/HEAD with these validators may be answered 304 Not Modified. */

function etagList(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '')).filter((tag) => tag !== '');
}

/** Weak comparison, as If-None-Match uses. */
export function etagMatches(header: string, etag: string): boolean {
  const strong = etag.replace(/^W\//, '');
  return etagList(header).some((tag) => tag === '*' || tag === strong);
}

/** HTTP dates carry whole seconds. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

export function notModified(headers: Record<string, string>, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, etag);
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

/** If-Range (RFC 9110 §13.1.5): a range is honoured only if the file is still the one the client has. */
export function rangeStillValid(headers: Record<string, string>, etag: string, lastModified: Date): boolean {
  const ifRange = headers['if-range']?.trim();
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return !etag.startsWith('W/') && ifRange === etag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) === Math.floor(date / 1000);
}
