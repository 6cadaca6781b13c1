/** CORS_ORIGINS, checked: `*` alone, or origins `scheme://host[:port]` (no path, no trailing slash). */
export type CorsOrigins = { any: true } | { any: false; origins: ReadonlySet<string> };

/** Throws an Error naming the first bad entry; the configuration loader turns it into a ConfigError. */
export function parseCorsOrigins(entries: readonly string[]): CorsOrigins {
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error("'*' allows every origin: give it alone, not with a list");
    return { any: true };
  }
  const origins = new Set<string>();
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`${JSON.stringify(entry)} is not an origin such as https://app.example.com`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.toLowerCase() || entry.endsWith('/')) {
      throw new Error(`${JSON.stringify(entry)} is not an origin: write scheme://host[:port], without a path or a trailing slash, e.g. https://app.example.com`);
    }
    origins.add(url.origin);
  }
  return { any: false, origins };
}
