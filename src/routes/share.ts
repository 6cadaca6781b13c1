import { authenticate } from '../auth/authenticate.js';
import { permit } from '../auth/permit.js';
import { lazyLinkKey } from '../auth/link-secret.js';
import { signLink } from '../auth/signed-link.js';
import { noteAudit } from '../core/audit-facts.js';
import { HttpError } from '../core/http-error.js';
import type { RouteHandler } from '../core/router.js';
import { jsonResponse } from '../core/respond.js';
import type { CoreRequest } from '../core/types.js';
import type { RouteDeps } from './deps.js';
import { filePath, fileUrl } from './file-path.js';
import { notFound } from './file-response.js';

const DEFAULT_SECONDS = 3600;
const MAX_BODY = 4096;

async function readSmallBody(req: CoreRequest): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body_too_large', `the share request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `{"expiresIn": seconds}` in the body, or `?expires_in=`; an hour when neither. */
async function requestedSeconds(req: CoreRequest, max: number): Promise<number> {
  const text = (await readSmallBody(req)).trim();
  let raw: unknown = req.query.get('expires_in') ?? undefined;
  if (text !== '') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'bad_json', 'the body must be JSON such as {"expiresIn": 3600}');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_json', 'the body must be a JSON object such as {"expiresIn": 3600}');
    raw = (body as { expiresIn?: unknown }).expiresIn ?? raw;
  }
  if (raw === undefined) return Math.min(DEFAULT_SECONDS, max);
  const seconds = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > max) {
    throw new HttpError(400, 'bad_expiry', `expiresIn must be a whole number of seconds from 1 to ${max}`);
  }
  return seconds;
}

/** POST files/<user>/<id>/share: a signed link anyone can use until it expires. */
export function createShareHandler(deps: RouteDeps): RouteHandler {
  const key = lazyLinkKey(deps.settings);
  return async (req, params) => {
    const user = params.user!;
    const id = params.id!;
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'share', { owner: user, id });
    req.acceptBody?.();
    const seconds = await requestedSeconds(req, deps.settings.signedLinkMaxSeconds);
    const record = await deps.store.stat(user, id);
    if (!record) throw notFound();
    noteAudit(req, { owner: user, id, name: record.name });
    const expires = Math.floor(Date.now() / 1000) + seconds;
    const { signature } = signLink(key(), 'GET', filePath(user, id), expires);
    const url = `${fileUrl(req.baseUrl, user, id)}?expires=${expires}&signature=${signature}`;
    const expiry = new Date(expires * 1000).toISOString();
    deps.hooks?.after('afterShare', { user: principal.user, record, kind: 'signed', url, expires: expiry }, req);
    return jsonResponse(201, { url, expires: expiry });
  };
}
