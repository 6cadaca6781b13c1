import type { TokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import type { HookRunner } from '../hooks/types.js';
import type { Store } from '../storage/store.js';

/** What every route may use; built once per app. */
export interface RouteDeps {
  settings: Settings;
  store: Store;
  verify: TokenVerifier;
  log: (error: unknown) => void;
  /** Set only when a hook is configured: then every decision and change goes through it. */
  hooks?: HookRunner;
}
