import { authenticate } from '../auth/authenticate.js';
import { authorizeLink } from '../auth/link-policy.js';
import { permit } from '../auth/permit.js';
import { lazyLinkKey } from '../auth/link-secret.js';
import { noteAudit } from '../core/audit-facts.js';
import { cdnEnabled } from '../config/cdn-settings.js';
import type { RouteHandler, RouteParams } from '../core/router.js';
import type { CoreRequest, CoreResponse } from '../core/types.js';
import type { CloudFrontSigner } from '../cdn/cloudfront.js';
import { userNameProblem } from '../storage/user-name.js';
import type { FileRecord } from '../storage/store.js';
import type { RouteDeps } from './deps.js';
import { filePath } from './file-path.js';
import { fileResponse, INERT_HEADERS, notFound } from './file-response.js';
import { newestByName } from './newest-by-name.js';

/** GET|HEAD files/<user>/<id> and files/<user>/by-name/<name>: a bearer token, a download token or a signed link. */
export function createFilesGetHandler(deps: RouteDeps, options: { byName: boolean }): RouteHandler {
  const key = lazyLinkKey(deps.settings);
  let signer: Promise<CloudFrontSigner> | undefined;
  const cdn = () =>
    (signer ??= import('../cdn/cloudfront.js').then(({ cloudfrontSignerFromFile }) =>
      cloudfrontSignerFromFile(deps.settings.cloudfrontKeyPairId, deps.settings.cloudfrontPrivateKeyFile, deps.settings.cloudfrontDomain)));

  // Link access must not tell a bad user name from a missing file.
  const statQuietly = async (user: string, id: string) => (userNameProblem(user) ? undefined : deps.store.stat(user, id));

  /** Checked before anything says whether the file exists. */
  async function viaLink(req: CoreRequest, user: string, id: string): Promise<FileRecord | undefined> {
    const { query } = req;
    if (query.has('signature') || query.has('expires')) {
      const link = { method: req.method, path: filePath(user, id), expires: query.get('expires') ?? '', signature: query.get('signature') ?? '' };
      authorizeLink({ kind: 'signed-link', ...link }, key, Date.now() / 1000);
      await permit(req, deps.hooks, 'link', 'read', { owner: user, id });
      return statQuietly(user, id);
    }
    const record = await statQuietly(user, id);
    authorizeLink({ kind: 'download-token', token: query.get('token') ?? '', tokenHash: record?.downloadTokenHash }, key, Date.now() / 1000);
    await permit(req, deps.hooks, 'link', 'read', { owner: user, id });
    return record;
  }

  async function viaBearer(req: CoreRequest, params: RouteParams): Promise<FileRecord | undefined> {
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'read', { owner: params.user!, ...(params.id !== undefined ? { id: params.id } : {}) });
    return options.byName ? newestByName(deps.store, params.user!, params.name!) : deps.store.stat(params.user!, params.id!);
  }

  return async (req, params) => {
    const { query } = req;
    const usesLink = !options.byName && (query.has('signature') || query.has('expires') || query.has('token'));
    const record = usesLink ? await viaLink(req, params.user!, params.id!) : await viaBearer(req, params);
    if (!record) throw notFound();
    noteAudit(req, { owner: record.user, id: record.id, name: record.name, bytes: record.size });
    if (req.method === 'GET') deps.hooks?.after('afterDownload', { user: req.audit?.user ?? null, record }, req);
    if (cdnEnabled(deps.settings)) return redirectToCdn(await cdn(), record, deps.settings.cloudfrontUrlSeconds);
    return fileResponse(req, deps.store, record);
  };
}

function redirectToCdn(signer: CloudFrontSigner, record: FileRecord, seconds: number): CoreResponse {
  const expires = Math.floor(Date.now() / 1000) + seconds;
  return {
    status: 303,
    headers: { location: signer.sign(`${encodeURIComponent(record.user)}/${record.id}`, expires), 'cache-control': 'no-store', 'content-length': '0', ...INERT_HEADERS },
  };
}
