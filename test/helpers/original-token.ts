import { SignJWT } from 'jose';

/**
 * Tokens exactly as the original Python bdfu's `gen-token` made them: HS256 over the secret,
 * claims user/exp/nbf, and `exp` copied into the JWT header (the original server reads only that).
 */
export function originalToken(user: unknown, secret: string, options: { expiresIn?: number; nbf?: number; now?: number } = {}) {
  const now = Math.floor(options.now ?? Date.now() / 1000);
  const exp = now + (options.expiresIn ?? 60);
  return new SignJWT({ user, exp, nbf: options.nbf ?? now } as Record<string, unknown>)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', exp })
    .sign(new TextEncoder().encode(secret));
}

/** What the original server checked: signature (HS256), then the header's exp. */
export async function originalServerAccepts(token: string, secret: string): Promise<boolean> {
  const { jwtVerify, decodeProtectedHeader } = await import('jose');
  try {
    await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
  } catch {
    return false;
  }
  const header = decodeProtectedHeader(token) as { exp?: unknown };
  return typeof header.exp === 'number' && header.exp > Date.now() / 1000;
}
