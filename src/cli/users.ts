import { AccountError, addAccount, listAccounts, removeAccount, setPassword } from '../accounts/accounts.js';
import type { Records } from '../storage/records.js';
import { withBackend } from './local-backend.js';
import { newPassword } from './read-password.js';
import { parseScopeOption } from './scope-option.js';

/** Runs `use` on the records of the backend the settings name (where accounts live). */
const withRecords = <T>(configuration: string | undefined, use: (records: Records) => Promise<T>): Promise<T> =>
  withBackend(configuration, (backend) => use(backend.records), (error) => error instanceof AccountError);

export interface PasswordOptions {
  passwordStdin?: boolean;
  configuration?: string;
}

export async function usersAdd(name: string, options: PasswordOptions & { scope: string; json?: boolean }): Promise<void> {
  const scopes = parseScopeOption(options.scope);
  const password = await newPassword(options.passwordStdin ?? false);
  const account = await withRecords(options.configuration, (records) => addAccount(records, name, password, scopes));
  process.stdout.write(options.json ? JSON.stringify({ name, scopes: account.scopes, created: account.created }) + '\n' : `added ${name} (${scopes.join(' ')})\n`);
}

export async function usersPasswd(name: string, options: PasswordOptions): Promise<void> {
  const password = await newPassword(options.passwordStdin ?? false);
  await withRecords(options.configuration, (records) => setPassword(records, name, password));
  process.stdout.write(`changed the password of ${name}\n`);
}

export async function usersRemove(name: string, options: { configuration?: string }): Promise<void> {
  await withRecords(options.configuration, (records) => removeAccount(records, name));
  process.stdout.write(`removed ${name}\n`);
}

export async function usersList(options: { configuration?: string; json?: boolean }): Promise<void> {
  const accounts = await withRecords(options.configuration, listAccounts);
  if (options.json) process.stdout.write(JSON.stringify({ accounts }) + '\n');
  else for (const a of accounts) process.stdout.write(`${a.name}\t${a.scopes.join(' ')}\t${a.created}\n`);
}
