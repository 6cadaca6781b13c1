import { Readable } from 'node:stream';
import { CliError } from './fail.js';
import { endpointUrl, readJson, send } from './http-client.js';
import { filesPath, parseTarget } from './target.js';

/** `bdfu sign-url`: asks the server for a time-limited link anyone can download with. */
export async function signUrl(endpoint: string, token: string, target: string, options: { expiresIn: number; json?: boolean }): Promise<void> {
  const { user, id } = parseTarget(target);
  const body = JSON.stringify({ expiresIn: options.expiresIn });
  const res = await send(endpointUrl(endpoint, `${filesPath(user, id)}/share`), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
    body: () => Readable.from([body]),
  });
  const answer = await readJson(res, 'sign-url');
  if (typeof answer.url !== 'string') throw new CliError(`sign-url failed: the server answered without a url (HTTP ${res.status})`);
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${answer.url}\n`);
}
