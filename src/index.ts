export { createHandler, type HandlerConfig } from './adapters/node.js';
export { startServer, type RunningServer } from './adapters/node-server.js';
export { serveCgi, cgiRequest } from './adapters/cgi.js';
export { createApp, type AppOptions } from './core/app.js';
export { HttpError } from './core/http-error.js';
export type { CoreRequest, CoreResponse, Handler } from './core/types.js';
export { loadConfig } from './config/load.js';
export { ConfigError } from './config/config-error.js';
export type { Settings } from './config/settings.js';
export { signToken, createTokenVerifier } from './auth/tokens.js';
export type { Principal, Scope } from './auth/principal.js';
export type { Action, Resource } from './auth/policy.js';
export type {
  Hooks, HookAction, HookRequest, AuthorizeEvent, AuthorizeVerdict, BeforeCommitEvent, BeforeCommitVerdict,
  AfterEvent, AfterShareEvent, AfterEventName, HookEventName,
} from './hooks/types.js';
export { signatureHeader, verifySignature } from './hooks/signature.js';
export { FsStore } from './storage/fs-store.js';
export type { Store, PendingWrite, FileRecord, UploadMeta } from './storage/store.js';
export { VERSION } from './version.js';
