import { CliError } from './fail.js';
import { endpointUrl, readJson, send } from './http-client.js';
import { filesPath, printable, tokenUser } from './target.js';

interface Listed {
  id: string;
  name: string;
  size: number;
  uploaded: string;
}

/** `bdfu ls`: one line per file, newest first: id, size, upload time, name. */
export async function ls(endpoint: string, token: string, user: string | undefined, options: { json?: boolean }): Promise<void> {
  const owner = user ?? tokenUser(token);
  const res = await send(endpointUrl(endpoint, filesPath(owner)), { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  const answer = await readJson(res, 'ls');
  if (!Array.isArray(answer.files)) throw new CliError(`ls failed: the server answered without a file list (HTTP ${res.status})`);
  if (options.json) {
    process.stdout.write(JSON.stringify(answer) + '\n');
    return;
  }
  for (const file of answer.files as Listed[]) {
    process.stdout.write(`${file.id}\t${file.size}\t${file.uploaded}\t${printable(file.name)}\n`);
  }
}
