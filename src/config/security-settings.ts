import { ConfigError } from './config-error.js';
import { normalisePublicUrl } from './public-url.js';
import type { Settings } from './settings.js';

export const STORAGE_MODES = ['private', 'group'] as const;
const MIN_SECRET = 16;

/** The settings of the security review (issue 12), checked at start-up; PUBLIC_URL is normalised in place. */
export function checkSecuritySettings(settings: Settings): void {
  if (settings.linkSecretKey !== '' && settings.linkSecretKey.length < MIN_SECRET) {
    throw new ConfigError(`LINK_SECRET_KEY is shorter than ${MIN_SECRET} characters: use a long random secret (e.g. openssl rand -base64 32)`);
  }
  if (!(STORAGE_MODES as readonly string[]).includes(settings.storageMode)) {
    throw new ConfigError(`STORAGE_MODE must be ${STORAGE_MODES.map((mode) => `'${mode}'`).join(' or ')}`);
  }
  settings.publicUrl = normalisePublicUrl(settings.publicUrl);
}
