/**
 * `Content-Disposition: attachment` for an untrusted file name (RFC 6266, RFC 8187).
 * `filename*` carries the real name, UTF-8 percent-encoded; `filename` is an ASCII fallback for
 * old clients. Neither can hold a quote, a backslash, a line break or a path separator, so the
 * header cannot be split or broken out of, and no client can be told to write outside its folder.
 */
export function attachment(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_');
  const safe = /^\.*$/.test(cleaned) ? 'download' : cleaned;
  const fallback = safe.replace(/[^\x20-\x7e]|["%]/g, '_');
  const encoded = encodeURIComponent(safe.isWellFormed() ? safe : safe.toWellFormed()).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
