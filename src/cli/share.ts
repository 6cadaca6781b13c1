import { jsonCall } from './json-call.js';
import { passwordFromStdin } from './read-password.js';
import { filesPath, parseTarget } from './target.js';

export interface ShareOptions {
  expiresIn?: string;
  maxDownloads?: number;
  passwordStdin?: boolean;
  note?: string;
  json?: boolean;
}

/** `bdfu share`: a counted, revocable link to one file; prints its URL. */
export async function share(endpoint: string, token: string, target: string, options: ShareOptions): Promise<void> {
  const { user, id } = parseTarget(target);
  const body = {
    ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}),
    ...(options.maxDownloads !== undefined ? { maxDownloads: options.maxDownloads } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(options.passwordStdin ? { password: await passwordFromStdin() } : {}),
  };
  const answer = await jsonCall(endpoint, token, 'POST', `${filesPath(user, id)}/links`, 'share', body);
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${String(answer.url)}\n`);
}
