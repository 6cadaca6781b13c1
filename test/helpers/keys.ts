import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  kid: string;
  publicPem: string;
  privatePem: string;
  /** `<dir>/<kid>.pem`: the file name makes the kid the server knows the key by. */
  publicPath: string;
  privatePath: string;
}

/** A fresh key pair written to `dir` (the private half in `<kid>.private.key`). */
export function makeKeyPair(dir: string, kid: string, type: 'rsa' | 'ec' | 'ed25519' | 'ec-p384' | 'rsa-1024'): KeyPair {
  const options =
    type === 'rsa' ? { modulusLength: 2048 }
    : type === 'rsa-1024' ? { modulusLength: 1024 }
    : type === 'ec' ? { namedCurve: 'P-256' }
    : type === 'ec-p384' ? { namedCurve: 'P-384' }
    : {};
  const kind = type.startsWith('rsa') ? 'rsa' : type.startsWith('ec') ? 'ec' : 'ed25519';
  const { publicKey, privateKey } = generateKeyPairSync(kind as 'rsa', {
    ...(options as { modulusLength: number }),
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicPath = join(dir, `${kid}.pem`);
  const privatePath = join(dir, `${kid}.private.key`);
  writeFileSync(publicPath, publicKey);
  writeFileSync(privatePath, privateKey, { mode: 0o600 });
  return { kid, publicPem: publicKey, privatePem: privateKey, publicPath, privatePath };
}
