import { jsonCall, linkId } from './json-call.js';
import { tokenUser } from './target.js';

/** `bdfu unshare`: revokes a share link (or, with --request, a file request); it answers 410 from now on. */
export async function unshare(endpoint: string, token: string, link: string, options: { user?: string; request?: boolean; json?: boolean }): Promise<void> {
  const owner = options.user ?? tokenUser(token);
  const id = linkId(link);
  const collection = options.request ? 'requests' : 'links';
  const answer = await jsonCall(endpoint, token, 'DELETE', `${collection}/${encodeURIComponent(owner)}/${id}`, 'unshare');
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `revoked ${String(answer.url)}\n`);
}
