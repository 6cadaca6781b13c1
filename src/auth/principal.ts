export const SCOPES = ['upload', 'read', 'delete', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a verified token speaks for, and what it may do. */
export interface Principal {
  user: string;
  scopes: ReadonlySet<Scope>;
  /** The token's `max_size` claim: the largest upload it may make, in bytes. */
  maxSize?: number;
  /** remoteStorage scopes (`<module>:r`, `<module>:rw`, `*:rw`…): module → access. */
  modules?: ReadonlyMap<string, ModuleAccess>;
  /** Set for a token an app got from the OAuth dialog: which app, and the approval it rests on. */
  app?: AppGrant;
}

/** An app's approval, as its tokens carry it: revoking the approval ends every token of it. */
export interface AppGrant {
  /** The app's origin (its OAuth client_id), e.g. `https://notes.example`. */
  client: string;
  /** The approval's id; the approval must still exist for the token to work. */
  grant: string;
}

export type ModuleAccess = 'r' | 'rw';
/** A word of a token's scope claim: bdfu's own scope, or a remoteStorage one. */
export type ScopeWord = Scope | `${string}:${ModuleAccess}`;
/** A remoteStorage scope word: a module name (or `*`, every module) and `r` or `rw`. */
export const MODULE_SCOPE = /^([a-z0-9_-]+|\*):(rw|r)$/;

/** The remoteStorage scopes among a scope claim's words (the others are bdfu's own). */
export function parseModuleScopes(claim: unknown): Map<string, ModuleAccess> {
  const modules = new Map<string, ModuleAccess>();
  if (typeof claim !== 'string') return modules;
  for (const word of claim.split(/\s+/)) {
    const match = MODULE_SCOPE.exec(word);
    if (!match) continue;
    const [, module, access] = match as unknown as [string, string, ModuleAccess];
    if (modules.get(module) !== 'rw') modules.set(module, access);
  }
  return modules;
}

/** Tokens without a `scope` claim keep the original bdfu's meaning: upload only. */
export const DEFAULT_SCOPES: readonly Scope[] = ['upload'];

export function parseScopes(claim: unknown): Set<Scope> | undefined {
  if (claim === undefined) return new Set(DEFAULT_SCOPES);
  const words = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : undefined;
  if (!words || !words.every((w) => typeof w === 'string')) return undefined;
  return new Set(words.filter((w): w is Scope => (SCOPES as readonly string[]).includes(w)));
}
