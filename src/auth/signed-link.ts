import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The fixed label that makes the link key differ from the token key derived from the same secret. */
const KEY_LABEL = 'bdfu signed download links v1';

/** The link-signing key, derived from the link secret (see link-secret.ts) with HKDF-SHA256 so neither key reveals the other. */
export function linkKey(secret: string): Uint8Array {
  if (secret === '') throw new Error('signed links need a secret: the empty string is public');
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), KEY_LABEL, 32));
}

export interface SignedLinkRequest {
  /** GET (HEAD is checked as GET). */
  method: string;
  /** The file's canonical path below the mount point, e.g. `/files/alice/<id>`. */
  path: string;
  /** As the query carried them (strings, unchecked). */
  expires: string;
  signature: string;
}

function mac(key: Uint8Array, method: string, path: string, expires: number): Buffer {
  return createHmac('sha256', key).update(`${method}\n${path}\n${expires}`).digest();
}

/** The query a signed link carries: `expires` (unix seconds) and `signature` (base64url HMAC). */
export function signLink(key: Uint8Array, method: string, path: string, expires: number): { expires: string; signature: string } {
  return { expires: String(expires), signature: mac(key, method, path, expires).toString('base64url') };
}

/** Altered (or not ours) is checked first, so stretching `expires` reads as altered, not expired. */
export function checkSignedLink(link: SignedLinkRequest, key: Uint8Array, now: number): 'valid' | 'expired' | 'invalid' {
  if (!/^\d{1,12}$/.test(link.expires) || !/^[A-Za-z0-9_-]{43}$/.test(link.signature)) return 'invalid';
  const method = link.method === 'HEAD' ? 'GET' : link.method;
  const expected = mac(key, method, link.path, Number(link.expires));
  const presented = Buffer.from(link.signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return 'invalid';
  return Number(link.expires) <= now ? 'expired' : 'valid';
}
