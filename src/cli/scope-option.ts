import { MODULE_SCOPE, SCOPES, type ScopeWord } from '../auth/principal.js';
import { CliError } from './fail.js';

const known = (word: string) => (SCOPES as readonly string[]).includes(word) || MODULE_SCOPE.test(word);
const ALL = `${SCOPES.join(' ')}, or remoteStorage's <module>:r, <module>:rw, *:r, *:rw`;

/** `--scope "upload read"` or `"notes:rw *:r"` (spaces or commas): known scopes only, at least one. */
export function parseScopeOption(value: string): ScopeWord[] {
  const words = value.split(/[\s,]+/).filter((w) => w !== '');
  const unknown = words.filter((w) => !known(w));
  if (unknown.length > 0) throw new CliError(`unknown scope ${unknown.join(', ')} (scopes: ${ALL})`);
  if (words.length === 0) throw new CliError(`--scope is empty (scopes: ${ALL})`);
  return [...new Set(words as ScopeWord[])];
}
