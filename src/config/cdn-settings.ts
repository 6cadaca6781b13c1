import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import type { Settings } from './settings.js';

const CDN_KEYS = ['CLOUDFRONT_KEY_PAIR_ID', 'CLOUDFRONT_PRIVATE_KEY_FILE', 'CLOUDFRONT_DOMAIN'] as const;

export function cdnEnabled(settings: Settings): boolean {
  return settings.cloudfrontKeyPairId !== '';
}

/** CDN mode is all three settings or none, with a readable RSA key and a bare host name. */
export function checkCdnSettings(settings: Settings): void {
  const values = [settings.cloudfrontKeyPairId, settings.cloudfrontPrivateKeyFile, settings.cloudfrontDomain];
  const set = values.filter((v) => v !== '').length;
  if (set === 0) return;
  if (set !== values.length) {
    const missing = CDN_KEYS.filter((_, i) => values[i] === '');
    throw new ConfigError(`CDN mode needs ${CDN_KEYS.join(', ')} together; missing: ${missing.join(', ')}`);
  }
  if (!/^[A-Za-z0-9]+$/.test(settings.cloudfrontKeyPairId)) {
    throw new ConfigError('CLOUDFRONT_KEY_PAIR_ID must be letters and digits, e.g. K2JCJMDEHXQW5F');
  }
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(settings.cloudfrontDomain)) {
    throw new ConfigError(`CLOUDFRONT_DOMAIN must be a host name such as d111111abcdef8.cloudfront.net, got ${JSON.stringify(settings.cloudfrontDomain)}`);
  }
  settings.cloudfrontPrivateKeyFile = resolve(settings.cloudfrontPrivateKeyFile);
  let key;
  try {
    key = createPrivateKey(readFileSync(settings.cloudfrontPrivateKeyFile));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`CLOUDFRONT_PRIVATE_KEY_FILE ${settings.cloudfrontPrivateKeyFile} is not a readable PEM private key (${why})`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(`CLOUDFRONT_PRIVATE_KEY_FILE must hold an RSA key (CloudFront signs with RSA-SHA1), not ${key.asymmetricKeyType}`);
  }
}
