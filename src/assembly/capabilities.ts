import { ConfigError } from '../config/config-error.js';
import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Capabilities } from '../storage/capabilities.js';

interface Need {
  capability: keyof Capabilities;
  /** The setting asking for it, when it does. */
  asked: (settings: Settings) => string | undefined;
}

const NEEDS: readonly Need[] = [
  { capability: 'quota', asked: (s) => (s.quotaBytes > 0 ? 'QUOTA_BYTES' : s.quotaFiles > 0 ? 'QUOTA_FILES' : undefined) },
];

/** Refuses, at start-up and in one line, a setting that needs what the backend cannot do. */
export function assertCapabilities(settings: Settings, backend: Pick<StorageBackend, 'kind' | 'capabilities'>): void {
  for (const need of NEEDS) {
    const setting = need.asked(settings);
    if (setting && !backend.capabilities[need.capability]) {
      throw new ConfigError(`${setting} is set, but the ${backend.kind} storage in use cannot provide ${need.capability}: unset it or use a storage that can`);
    }
  }
}
