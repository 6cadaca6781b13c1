import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The signed-link algorithm as README documents it, written independently of src/:
 * key = HKDF-SHA256(JWT_SECRET_KEY, salt = empty, info = "bdfu signed download links v1", 32 bytes),
 * signature = base64url(HMAC-SHA256(key, "GET\n/files/<user>/<id>\n<expires>")).
 */
export function linkSignature(secret: string, path: string, expires: number, method = 'GET'): string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'bdfu signed download links v1', 32));
  return createHmac('sha256', key).update(`${method}\n${path}\n${expires}`).digest('base64url');
}
