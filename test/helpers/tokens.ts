import { SignJWT } from 'jose';

/** A token as `bdfu gen-token --scope` makes it; no scope: a token as the original made it. */
export function scopedToken(user: string, secret: string, scope?: string, expiresIn = 300): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { user, exp: now + expiresIn, nbf: now };
  if (scope !== undefined) claims.scope = scope;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
