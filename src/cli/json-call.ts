import { Readable } from 'node:stream';
import { CliError } from './fail.js';
import { endpointUrl, readJson, send } from './http-client.js';

/** One JSON request with the token; the JSON answer, or a one-line CliError naming `what` failed. */
export async function jsonCall(endpoint: string, token: string, method: string, path: string, what: string, body?: unknown): Promise<Record<string, unknown>> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const res = await send(endpointUrl(endpoint, path), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
    },
    ...(text !== undefined ? { body: () => Readable.from([text]) } : {}),
  });
  return readJson(res, what);
}

/** A link's id from the id itself or its URL (…/s/<id>, …/r/<id>). */
export function linkId(text: string): string {
  const id = text.replace(/\/+$/, '').split('/').pop() ?? '';
  if (!/^[A-Za-z0-9]{22}$/.test(id)) throw new CliError(`name the link by its id or URL, e.g. …/s/Ab3dEf6hIj9kLm2nOp5qRs (got ${JSON.stringify(text)})`);
  return id;
}
