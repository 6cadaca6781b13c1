import { HttpError } from '../../core/http-error.js';
import type { CoreRequest } from '../../core/types.js';

const MAX_BODY = 16384;

/** The whole body as text, refused (413) past MAX_BODY bytes. */
async function readSmallBody(req: CoreRequest): Promise<string> {
  req.acceptBody?.();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body_too_large', `the request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A small JSON object body (`{}` when empty); anything else is 400 bad_json. */
export async function readJsonObject(req: CoreRequest): Promise<Record<string, unknown>> {
  const text = (await readSmallBody(req)).trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_json', 'the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'bad_json', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A url-encoded form body (the password form), small. */
export async function readForm(req: CoreRequest): Promise<URLSearchParams> {
  return new URLSearchParams(await readSmallBody(req));
}
