import { join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { keptSecret } from '../config/kept-secret.js';
import type { Settings } from '../config/settings.js';
import { configFailure } from '../core/config-failure.js';
import { linkKey } from './signed-link.js';

export const LINK_SECRET_FILE = '.link-secret';

/**
 * The secret signed links are made and checked with: LINK_SECRET_KEY; else JWT_SECRET_KEY (as
 * before, so links already given out keep working); else, when only public keys are
 * configured, a random one kept in STORAGE_DIR/.link-secret. Never the empty string.
 */
export function linkSecret(settings: Pick<Settings, 'linkSecretKey' | 'jwtSecretKey' | 'storageDir'>): string {
  if (settings.linkSecretKey !== '') return settings.linkSecretKey;
  if (settings.jwtSecretKey !== '') return settings.jwtSecretKey;
  return keptSecret(join(settings.storageDir, LINK_SECRET_FILE)).secret;
}

/** The link key for a route, made on first use; a broken secret file is the operator's problem, said in the log. */
export function lazyLinkKey(settings: Settings): () => Uint8Array {
  let key: Uint8Array | undefined;
  return () => {
    if (key) return key;
    try {
      key = linkKey(linkSecret(settings));
    } catch (error) {
      if (error instanceof ConfigError) throw configFailure(error.message);
      throw error;
    }
    return key;
  };
}
