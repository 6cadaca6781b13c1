/**
 * `GET /base` (the mount point without its slash) → `/base/`: the web page's relative links
 * only resolve from inside the mount point.
 */
export function slashRedirect(method: string, mountWithoutSlash: string, requested: string, search: string): { status: number; headers: Record<string, string> } | undefined {
  if ((method !== 'GET' && method !== 'HEAD') || mountWithoutSlash === '' || requested !== mountWithoutSlash) return undefined;
  const last = mountWithoutSlash.slice(mountWithoutSlash.lastIndexOf('/') + 1);
  return { status: 308, headers: { location: `${encodeURIComponent(last)}/${search}`, 'content-length': '0', 'cache-control': 'no-store' } };
}
