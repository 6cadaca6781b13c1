/** Where a whole upload's bytes live in the bucket: files/<user>/<id> (user names hold no slash). */
export const FILES_PREFIX = 'files/';

export const fileKey = (user: string, id: string) => `${FILES_PREFIX}${user}/${id}`;

/** The id of the upload a key under files/ belongs to. */
export function idOfFileKey(key: string): string | undefined {
  if (!key.startsWith(FILES_PREFIX)) return undefined;
  const slash = key.lastIndexOf('/');
  return slash > FILES_PREFIX.length ? key.slice(slash + 1) : undefined;
}
