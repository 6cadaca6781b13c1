/** Kept equal to package.json's version by a test; the single executable has no package.json to read. */
export const VERSION = '0.1.0';

/** What `bdfu --version` prints (start.ts answers it before commander loads; program.ts gives commander the same). */
export const versionLine = (): string => `bdfu ${VERSION} (node ${process.version})`;
