import type { ScopeWord } from '../auth/principal.js';
import { hashPassword, verifyPassword, MAX_PASSWORD_BYTES } from '../sharing/password.js';
import type { Records } from '../storage/records.js';
import { userNameProblem } from '../storage/user-name.js';

/** People who sign in with a name and a password (beside tokens minted with the secret). */
export interface Account {
  /** scrypt, as sharing/password.ts makes it; never the password. */
  hash: string;
  scopes: ScopeWord[];
  created: string;
  changed: string;
}

export const ACCOUNTS = 'accounts';
export const MIN_PASSWORD_LENGTH = 8;

/** Why a name or password cannot be used, in words for a person; undefined when it can. */
export class AccountError extends Error {
  constructor(readonly code: 'invalid_user' | 'bad_password' | 'account_exists' | 'no_such_account', message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

function checkName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) throw new AccountError('invalid_user', `the user name ${JSON.stringify(name)} ${problem}`);
}

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new AccountError('bad_password', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new AccountError('bad_password', `a password may have at most ${MAX_PASSWORD_BYTES} bytes`);
}

export async function addAccount(records: Records, name: string, password: string, scopes: ScopeWord[], now = new Date()): Promise<Account> {
  checkName(name);
  checkPassword(password);
  const hash = await hashPassword(password);
  const at = now.toISOString();
  const made = await records.update<Account>(ACCOUNTS, name, (current) => {
    if (current) throw new AccountError('account_exists', `the account ${name} exists already (bdfu users passwd changes its password)`);
    return { hash, scopes, created: at, changed: at };
  });
  return made!;
}

export async function setPassword(records: Records, name: string, password: string, now = new Date()): Promise<void> {
  checkName(name);
  checkPassword(password);
  const hash = await hashPassword(password);
  await records.update<Account>(ACCOUNTS, name, (current) => {
    if (!current) throw new AccountError('no_such_account', `there is no account ${name}`);
    return { ...current, hash, changed: now.toISOString() };
  });
}

export async function removeAccount(records: Records, name: string): Promise<void> {
  checkName(name);
  if (!(await records.remove(ACCOUNTS, name))) throw new AccountError('no_such_account', `there is no account ${name}`);
}

export async function listAccounts(records: Records): Promise<Array<{ name: string } & Omit<Account, 'hash'>>> {
  const all = [];
  for await (const { key, value } of records.list<Account>(ACCOUNTS)) {
    all.push({ name: key, scopes: value.scopes, created: value.created, changed: value.changed });
  }
  return all;
}

// Checked against when the account does not exist, so that the answer takes as long either way.
const NOBODY = hashPassword('bdfu: no such account');

/** The account, when the name and password match it; undefined otherwise (which, not said). */
export async function checkCredentials(records: Records, name: string, password: string): Promise<Account | undefined> {
  const account = userNameProblem(name) === undefined ? await records.get<Account>(ACCOUNTS, name) : undefined;
  const ok = await verifyPassword(password, account?.hash ?? (await NOBODY));
  return account && ok ? account : undefined;
}
