import { MODULE_SCOPE, type ModuleAccess, type ScopeWord } from '../auth/principal.js';

/**
 * The scopes an app asks for (`notes:rw contacts:r`, `*:rw`; draft-dejong-remotestorage §9),
 * deduplicated, `rw` winning over `r`; undefined when a word is not one (then: invalid_scope).
 * Older clients separate with commas and may write a leading slash (`/notes:rw`).
 */
export function requestedScopes(scope: string | null): ScopeWord[] | undefined {
  const words = (scope ?? '').split(/[\s,]+/).filter((w) => w !== '').map((w) => w.replace(/^\//, ''));
  if (words.length === 0) return undefined;
  const access = new Map<string, ModuleAccess>();
  for (const word of words) {
    const match = MODULE_SCOPE.exec(word);
    if (!match) return undefined;
    const [, module, level] = match as unknown as [string, string, ModuleAccess];
    if (access.get(module) !== 'rw') access.set(module, level);
  }
  return [...access].map(([module, level]): ScopeWord => `${module}:${level}`);
}

/** A scope word as a person reads it in the dialog. */
export function describeScope(word: string): string {
  const [module, level] = word.split(':') as [string, string];
  const what = level === 'rw' ? 'read and change' : 'read';
  return module === '*' ? `${what} everything in your storage` : `${what} your ${module} (/${module}/ and /public/${module}/)`;
}
