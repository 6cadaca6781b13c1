import { SCOPES, type Scope } from '../auth/principal.js';
import { signToken } from '../auth/tokens.js';
import { userNameProblem } from '../storage/user-name.js';
import { CliError } from './fail.js';

function parseScopeOption(value: string): Scope[] {
  const words = value.split(/[\s,]+/).filter((w) => w !== '');
  const unknown = words.filter((w) => !(SCOPES as readonly string[]).includes(w));
  if (unknown.length > 0) throw new CliError(`unknown scope ${unknown.join(', ')} (scopes: ${SCOPES.join(' ')})`);
  if (words.length === 0) throw new CliError(`--scope is empty (scopes: ${SCOPES.join(' ')})`);
  return [...new Set(words as Scope[])];
}

export async function genToken(user: string, secret: string, options: { expiresIn: number; scope?: string }): Promise<void> {
  const problem = userNameProblem(user);
  if (problem) throw new CliError(`the user name ${JSON.stringify(user)} ${problem}`);
  if (secret === '') throw new CliError('the secret is empty');
  const scopes = options.scope === undefined ? undefined : parseScopeOption(options.scope);
  process.stdout.write((await signToken({ user, secret, expiresIn: options.expiresIn, ...(scopes ? { scopes } : {}) })) + '\n');
}
