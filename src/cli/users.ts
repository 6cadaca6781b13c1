import { AccountError, addAccount, listAccounts, removeAccount, setPassword } from '../accounts/accounts.js';
import { openBackend } from '../assembly/backend.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_STORAGE_DIR } from '../config/embedded-default.js';
import { loadConfig } from '../config/load.js';
import type { Records } from '../storage/records.js';
import { StorageError } from '../storage/errors.js';
import { CliError } from './fail.js';
import { newPassword } from './read-password.js';
import { parseScopeOption } from './scope-option.js';

// Accounts need no secret to be managed; this only satisfies the loader when none is configured.
const SECRET_NOT_NEEDED = 'bdfu-users-signs-no-tokens';

/** Runs `use` on the records of the backend the settings name (where accounts live), then closes it. */
async function withRecords<T>(configuration: string | undefined, use: (records: Records) => Promise<T>): Promise<T> {
  let settings;
  try {
    settings = loadConfig({ file: configuration, fallbacks: { storageDir: DEFAULT_STORAGE_DIR, jwtSecretKey: SECRET_NOT_NEEDED } }).settings;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const backend = await openBackend(settings);
  try {
    return await use(backend.records);
  } catch (error) {
    if (error instanceof AccountError || error instanceof StorageError) throw new CliError(error.message);
    throw error;
  } finally {
    await backend.close();
  }
}

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
