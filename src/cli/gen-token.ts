import { signToken } from '../auth/tokens.js';
import { ConfigError } from '../config/config-error.js';
import { userNameProblem } from '../storage/user-name.js';
import { CliError } from './fail.js';
import { parseScopeOption } from './scope-option.js';

export interface GenTokenOptions {
  expiresIn: number;
  scope?: string;
  key?: string;
  kid?: string;
  maxSize?: number;
}

/** HS256 with the shared secret, or (--key) RS256/ES256/EdDSA with a private key the server knows only the public half of. */
export async function genToken(user: string, secret: string | undefined, options: GenTokenOptions): Promise<void> {
  const problem = userNameProblem(user);
  if (problem) throw new CliError(`the user name ${JSON.stringify(user)} ${problem}`);
  const scopes = options.scope === undefined ? undefined : parseScopeOption(options.scope);
  const common = { user, expiresIn: options.expiresIn, kid: options.kid, maxSize: options.maxSize, ...(scopes ? { scopes } : {}) };
  if (options.key !== undefined) {
    if (secret !== undefined) throw new CliError('give either a secret or --key, not both');
    const { loadSigningKey } = await import('../auth/keys.js');
    let privateKey;
    try {
      privateKey = await loadSigningKey(options.key);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
    process.stdout.write((await signToken({ ...common, privateKey })) + '\n');
    return;
  }
  if (secret === undefined) throw new CliError('give the server secret, or --key private.pem');
  if (secret === '') throw new CliError('the secret is empty');
  process.stdout.write((await signToken({ ...common, secret })) + '\n');
}
