import { HttpError } from '../core/http-error.js';
import type { CoreRequest, CoreResponse } from '../core/types.js';
import { notModified, httpDate, rangeStillValid } from '../http/conditional.js';
import { attachment } from '../http/content-disposition.js';
import { parseRange } from '../http/range.js';
import type { FileRecord, Store } from '../storage/store.js';

/** Headers that keep an uploaded file inert in our origin: never rendered, never sniffed, no script. */
export const INERT_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'referrer-policy': 'no-referrer',
};

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

export function etagOf(record: FileRecord): string {
  if (/^[0-9a-f]{64}$/.test(record.sha256)) return `"${record.sha256}"`;
  // Files without metadata (put there by hand or by the original bdfu): size and time only.
  return `W/"${record.size.toString(16)}-${Date.parse(record.uploaded).toString(16)}"`;
}

function validators(record: FileRecord) {
  const lastModified = new Date(Math.floor(Date.parse(record.uploaded) / 1000) * 1000);
  return { etag: etagOf(record), lastModified };
}

export function notFound(): HttpError {
  return new HttpError(404, 'file_not_found', 'no such file');
}

/**
 * The bytes of a stored file, streamed from the store, with validators, one optional range and
 * the headers that make a hostile upload harmless.
 */
export async function fileResponse(req: CoreRequest, store: Store, record: FileRecord, options: { inline?: boolean } = {}): Promise<CoreResponse> {
  const { etag, lastModified } = validators(record);
  const common: Record<string, string> = {
    etag,
    'last-modified': httpDate(lastModified),
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
    ...INERT_HEADERS,
  };
  if (notModified(req.headers, etag, lastModified)) return { status: 304, headers: common };

  const outcome = rangeStillValid(req.headers, etag, lastModified) ? parseRange(req.headers['range'], record.size) : { kind: 'whole' as const };
  if (outcome.kind === 'unsatisfiable') {
    throw new HttpError(416, 'range_not_satisfiable', `the requested range lies outside the file (${record.size} bytes)`, {
      headers: { 'content-range': `bytes */${record.size}` },
    });
  }
  const range = outcome.kind === 'partial' ? outcome.range : undefined;
  const headers: Record<string, string> = {
    ...common,
    'content-type': MIME.test(record.type) ? record.type : 'application/octet-stream',
    // inline: a link page's preview (still sandboxed, never script); the name stays in filename*.
    'content-disposition': options.inline ? attachment(record.name).replace(/^attachment/, 'inline') : attachment(record.name),
  };
  if (req.method === 'HEAD') {
    return range
      ? { status: 206, headers: { ...headers, 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${record.size}` } }
      : { status: 200, headers: { ...headers, 'content-length': String(record.size) } };
  }
  const opened = await store.open(record.user, record.id, range);
  if (!opened) throw notFound();
  if (range) {
    headers['content-length'] = String(range.end - range.start + 1);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
    return { status: 206, headers, body: opened.stream };
  }
  headers['content-length'] = String(record.size);
  return { status: 200, headers, body: opened.stream };
}
