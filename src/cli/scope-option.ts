import { SCOPES, type Scope } from '../auth/principal.js';
import { CliError } from './fail.js';

/** `--scope "upload read"` (spaces or commas): known scopes only, at least one. */
export function parseScopeOption(value: string): Scope[] {
  const words = value.split(/[\s,]+/).filter((w) => w !== '');
  const unknown = words.filter((w) => !(SCOPES as readonly string[]).includes(w));
  if (unknown.length > 0) throw new CliError(`unknown scope ${unknown.join(', ')} (scopes: ${SCOPES.join(' ')})`);
  if (words.length === 0) throw new CliError(`--scope is empty (scopes: ${SCOPES.join(' ')})`);
  return [...new Set(words as Scope[])];
}
