import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** CloudFront's URL-safe base64: `+` → `-`, `=` → `_`, `/` → `~`. */
export function cloudfrontBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** The canned policy statement, byte for byte as CloudFront rebuilds it (no white space). */
export function cannedPolicy(resource: string, expires: number): string {
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
}

export interface CloudFrontSigner {
  /** A signed URL for `/<path>` on the distribution, valid until `expires` (unix seconds). */
  sign(path: string, expires: number): string;
}

/** Signed URLs with a canned policy (RSA-SHA1), as CloudFront's developer guide describes them. */
export function cloudfrontSigner(options: { keyPairId: string; privateKeyPem: string | Buffer; domain: string }): CloudFrontSigner {
  const key: KeyObject = createPrivateKey(options.privateKeyPem);
  return {
    sign(path, expires) {
      const resource = `https://${options.domain}/${path.replace(/^\//, '')}`;
      const signature = createSign('RSA-SHA1').update(cannedPolicy(resource, expires)).sign(key);
      const separator = resource.includes('?') ? '&' : '?';
      return `${resource}${separator}Expires=${expires}&Signature=${cloudfrontBase64(signature)}&Key-Pair-Id=${options.keyPairId}`;
    },
  };
}

export function cloudfrontSignerFromFile(keyPairId: string, privateKeyFile: string, domain: string): CloudFrontSigner {
  return cloudfrontSigner({ keyPairId, privateKeyPem: readFileSync(privateKeyFile), domain });
}
