export const SCOPES = ['upload', 'read', 'delete', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a verified token speaks for, and what it may do. */
export interface Principal {
  user: string;
  scopes: ReadonlySet<Scope>;
  /** The token's `max_size` claim: the largest upload it may make, in bytes. */
  maxSize?: number;
}

/** Tokens without a `scope` claim keep the original bdfu's meaning: upload only. */
export const DEFAULT_SCOPES: readonly Scope[] = ['upload'];

export function parseScopes(claim: unknown): Set<Scope> | undefined {
  if (claim === undefined) return new Set(DEFAULT_SCOPES);
  const words = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : undefined;
  if (!words || !words.every((w) => typeof w === 'string')) return undefined;
  return new Set(words.filter((w): w is Scope => (SCOPES as readonly string[]).includes(w)));
}
