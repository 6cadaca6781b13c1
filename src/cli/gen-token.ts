import { signToken } from '../auth/tokens.js';
import { userNameProblem } from '../storage/user-name.js';
import { CliError } from './fail.js';

export async function genToken(user: string, secret: string, options: { expiresIn: number }): Promise<void> {
  const problem = userNameProblem(user);
  if (problem) throw new CliError(`the user name ${JSON.stringify(user)} ${problem}`);
  if (secret === '') throw new CliError('the secret is empty');
  process.stdout.write((await signToken({ user, secret, expiresIn: options.expiresIn })) + '\n');
}
