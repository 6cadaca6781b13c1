/** Where a file lives below the mount point: `/files/<user>/<id>` (the user percent-encoded). */
export function filePath(user: string, id: string): string {
  return `/files/${encodeURIComponent(user)}/${id}`;
}

/** The absolute URL of a file, built on the mount point the request came in through. */
export function fileUrl(baseUrl: string, user: string, id: string): string {
  return baseUrl + filePath(user, id).slice(1);
}
