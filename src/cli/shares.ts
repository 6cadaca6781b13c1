import { jsonCall } from './json-call.js';
import { printable, tokenUser } from './target.js';

interface LinkLine {
  id: string;
  url: string;
  file: string;
  state: string;
  downloads: number;
  maxDownloads: number | null;
  expires: string | null;
  lastUsed: string | null;
  note: string;
}

/** `bdfu shares`: the user's share links with their state, counts and last use. */
export async function shares(endpoint: string, token: string, user: string | undefined, options: { json?: boolean }): Promise<void> {
  const owner = user ?? tokenUser(token);
  const answer = await jsonCall(endpoint, token, 'GET', `links/${encodeURIComponent(owner)}`, 'shares');
  if (options.json) {
    process.stdout.write(JSON.stringify(answer) + '\n');
    return;
  }
  for (const link of answer.links as LinkLine[]) {
    const count = `${link.downloads}/${link.maxDownloads ?? '∞'}`;
    process.stdout.write(`${link.url}\t${link.state}\t${count}\texpires ${link.expires ?? 'never'}\tlast ${link.lastUsed ?? '-'}\t${link.file}\t${printable(link.note)}\n`);
  }
}
