import type { StorageBackend } from '../../../src/storage/backend.js';

/** A backend on fresh, empty storage, and a way to open a second one on the same storage. */
export interface BackendUnderTest {
  backend: StorageBackend;
  /**
   * Another backend object on the same storage, as another process or instance would build it:
   * what one writes, the other must see.
   */
  sameStorage(): Promise<StorageBackend>;
}

/** Called once per test; the runner tears down what it made (t.teardown). */
export type BackendFactory = () => Promise<BackendUnderTest>;
