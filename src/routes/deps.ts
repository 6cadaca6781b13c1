import type { TokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Store } from '../storage/store.js';

/** What every route may use; built once per app. */
export interface RouteDeps {
  settings: Settings;
  store: Store;
  /** Sessions, capabilities, ... (set by the composition root of the storage issue). */
  backend?: StorageBackend;
  verify: TokenVerifier;
  log: (error: unknown) => void;
}
