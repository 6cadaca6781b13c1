import type { TokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import type { HookRunner } from '../hooks/types.js';
import type { Store } from '../storage/store.js';

/** What every route may use; built once per app by the composition root (src/assembly/). */
export interface RouteDeps {
  settings: Settings;
  /** Everything bdfu keeps: files, sessions, documents, records, the audit trail. */
  backend: StorageBackend;
  /** Whole uploads: `backend.files`, with files past their retention hidden from every read. */
  store: Store;
  verify: TokenVerifier;
  log: (error: unknown) => void;
  /** Set only when a hook is configured: then every decision and change goes through it. */
  hooks?: HookRunner;
  /** Milliseconds since the epoch: what link expiry, retention and throttling compare with (tests move it). */
  now: () => number;
}
