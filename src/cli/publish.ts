import { jsonCall } from './json-call.js';
import { filesPath, parseTarget } from './target.js';

/** `bdfu publish`: the file is served without a token at its short link and by name; prints the short link. */
export async function publish(endpoint: string, token: string, target: string, options: { json?: boolean }): Promise<void> {
  const { user, id } = parseTarget(target);
  const answer = await jsonCall(endpoint, token, 'PUT', `${filesPath(user, id)}/public`, 'publish');
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${String(answer.url)}\n${String(answer.byName)}\n`);
}

/** `bdfu unpublish`: both public links answer 404 from now on. */
export async function unpublish(endpoint: string, token: string, target: string, options: { json?: boolean }): Promise<void> {
  const { user, id } = parseTarget(target);
  const answer = await jsonCall(endpoint, token, 'DELETE', `${filesPath(user, id)}/public`, 'unpublish');
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `unpublished ${user}/${id}\n`);
}
