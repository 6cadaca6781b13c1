import { HttpError } from '../../core/http-error.js';
import type { ChecksumAlgorithm } from '../../storage/sessions.js';

/** tus 1.0.0 (tus.io/protocols/resumable-upload): the one version bdfu speaks. */
export const TUS_VERSION = '1.0.0';
export const TUS_CONTENT_TYPE = 'application/offset+octet-stream';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha1', 'md5', 'sha256'];
/** Where a finished upload can be downloaded (bdfu's own header; `Location` already names the upload). */
export const FILE_LOCATION_HEADER = 'upload-file-location';

/** Every tus answer says the version. */
export const tusResumable = { 'tus-resumable': TUS_VERSION } as const;

/** 412 when a request (OPTIONS aside) speaks another version, or none. */
export function checkVersion(headers: Record<string, string>): void {
  const version = headers['tus-resumable'];
  if (version?.trim() === TUS_VERSION) return;
  throw new HttpError(412, 'tus_version_unsupported', version === undefined
    ? `a tus request needs the header Tus-Resumable: ${TUS_VERSION}`
    : `tus version ${JSON.stringify(version.slice(0, 20))} is not supported; this server speaks ${TUS_VERSION}`, {
    headers: { 'tus-version': TUS_VERSION },
  });
}

const COUNT = /^\d{1,15}$/;

/** A non-negative integer header (Upload-Offset, Upload-Length), or undefined when absent; 400 when malformed. */
export function byteCount(headers: Record<string, string>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  if (!COUNT.test(raw.trim())) throw new HttpError(400, 'bad_tus_header', `${name} must be a non-negative whole number of bytes`);
  return Number(raw.trim());
}

/** `Upload-Defer-Length: 1`, the only value the spec allows. */
export function lengthDeferred(headers: Record<string, string>): boolean {
  const raw = headers['upload-defer-length'];
  if (raw === undefined) return false;
  if (raw.trim() !== '1') throw new HttpError(400, 'bad_tus_header', 'Upload-Defer-Length must be 1');
  return true;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function badMetadata(why: string): HttpError {
  return new HttpError(400, 'bad_metadata', `Upload-Metadata ${why}: write comma-separated "key base64value" pairs`);
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs, keys unique; values must be UTF-8. */
export function parseMetadata(header: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = Object.create(null) as Record<string, string>;
  if (header === undefined || header.trim() === '') return pairs;
  for (const item of header.split(',')) {
    const [key = '', value = '', ...rest] = item.trim().split(' ');
    if (rest.length > 0 || key === '') throw badMetadata('has an empty key or more than one space in a pair');
    // eslint-disable-next-line no-control-regex
    if (/[^\x21-\x7e]/.test(key)) throw badMetadata(`has a key that is not printable ASCII`);
    if (key in pairs) throw badMetadata(`names ${JSON.stringify(key)} twice`);
    if (!BASE64.test(value)) throw badMetadata(`has a value for ${JSON.stringify(key)} that is not base64`);
    try {
      pairs[key] = utf8.decode(Buffer.from(value, 'base64'));
    } catch {
      throw badMetadata(`has a value for ${JSON.stringify(key)} that is not UTF-8 text`);
    }
  }
  return pairs;
}

/** The header again, as the client may read it back on HEAD. */
export function formatMetadata(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => (value === '' ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`))
    .join(',');
}

/** `Upload-Checksum: <algorithm> <base64 digest>`. */
export function parseChecksum(header: string | undefined): { algorithm: ChecksumAlgorithm; digest: Buffer } | undefined {
  if (header === undefined) return undefined;
  const [algorithm = '', digest = '', ...rest] = header.trim().split(' ');
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new HttpError(400, 'checksum_algorithm_unsupported', `Upload-Checksum: the algorithm ${JSON.stringify(algorithm.slice(0, 20))} is not supported; use one of ${CHECKSUM_ALGORITHMS.join(', ')}`);
  }
  if (rest.length > 0 || digest === '' || !BASE64.test(digest)) {
    throw new HttpError(400, 'bad_checksum', 'Upload-Checksum must be "<algorithm> <base64 digest>"');
  }
  return { algorithm: algorithm as ChecksumAlgorithm, digest: Buffer.from(digest, 'base64') };
}

export type Concat = { kind: 'partial' } | { kind: 'final'; ids: string[] };

const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** `Upload-Concat: partial` or `final;<url> <url> ...` (upload URLs, absolute or relative, of this server). */
export function parseConcat(header: string | undefined): Concat | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === 'partial') return { kind: 'partial' };
  const match = /^final;(.*)$/.exec(value);
  if (!match) throw new HttpError(400, 'bad_concat', 'Upload-Concat must be "partial" or "final;<upload URL> <upload URL> ..."');
  const urls = match[1]!.trim().split(/ +/).filter((url) => url !== '');
  if (urls.length === 0) throw new HttpError(400, 'bad_concat', 'Upload-Concat: final names no partial uploads');
  const ids = urls.map((url) => {
    const id = /\/tus\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url)?.[1];
    if (id === undefined || !UPLOAD_ID.test(id)) {
      throw new HttpError(400, 'bad_concat', `Upload-Concat: ${JSON.stringify(url.slice(0, 120))} is not an upload URL of this server`);
    }
    return id;
  });
  if (new Set(ids).size !== ids.length) throw new HttpError(400, 'bad_concat', 'Upload-Concat: a partial upload is named twice');
  return { kind: 'final', ids };
}

export const isUploadId = (id: string) => UPLOAD_ID.test(id);

/** The upload's URL, on the mount point the request came in through. */
export const uploadUrl = (baseUrl: string, id: string) => `${baseUrl}tus/${id}`;
