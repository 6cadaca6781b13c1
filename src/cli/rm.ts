import { endpointUrl, readJson, send } from './http-client.js';
import { filesPath, parseTarget } from './target.js';

/** `bdfu rm`: deletes one file. */
export async function rm(endpoint: string, token: string, target: string, options: { json?: boolean }): Promise<void> {
  const { user, id } = parseTarget(target);
  const res = await send(endpointUrl(endpoint, filesPath(user, id)), { method: 'DELETE', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (res.status !== 204) await readJson(res, 'rm');
  res.body.resume();
  process.stdout.write(options.json ? JSON.stringify({ deleted: true, user, id }) + '\n' : `deleted ${user}/${id}\n`);
}
