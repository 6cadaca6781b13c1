const MiB = 1024 * 1024;

/** S3's rules for a multipart upload: parts of at least 5 MiB but the last, at most 10,000 parts. */
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PARTS = 10_000;
/** Bigger than the minimum: fewer requests, and the object store's per-part overhead paid less often. */
const PREFERRED_PART_BYTES = 8 * MiB;

/**
 * The part size for uploads of at most `maxUploadBytes`: whole MiB, at least 8 MiB, and large
 * enough that the largest allowed upload fits in 10,000 parts.
 */
export function partSizeFor(maxUploadBytes: number): number {
  const needed = Math.ceil(maxUploadBytes / MAX_PARTS / MiB) * MiB;
  return Math.max(PREFERRED_PART_BYTES, needed);
}

/** How many parts may be on their way at once while the next fills: two small ones, or one large. */
export function partsInFlightFor(partBytes: number): number {
  return partBytes <= 16 * MiB ? 2 : 1;
}
