import { jsonCall } from './json-call.js';
import { passwordFromStdin } from './read-password.js';
import { tokenUser } from './target.js';

export interface RequestFilesOptions {
  expiresIn?: string;
  maxFiles?: number;
  maxSize?: number;
  passwordStdin?: boolean;
  note?: string;
  json?: boolean;
}

/** `bdfu request-files`: an upload link for people without an account; prints its URL. */
export async function requestFiles(endpoint: string, token: string, options: RequestFilesOptions): Promise<void> {
  const owner = tokenUser(token);
  const body = {
    ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}),
    ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
    ...(options.maxSize !== undefined ? { maxBytes: options.maxSize } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(options.passwordStdin ? { password: await passwordFromStdin() } : {}),
  };
  const answer = await jsonCall(endpoint, token, 'POST', `requests/${encodeURIComponent(owner)}`, 'request-files', body);
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${String(answer.url)}\n`);
}
