export { createHandler, type HandlerConfig } from './adapters/node.js';
export { startServer, type RunningServer } from './adapters/node-server.js';
export { serveCgi, cgiRequest } from './adapters/cgi.js';
export { createApp, type AppOptions } from './assembly/app.js';
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
export type { Store, PendingWrite, FileRecord, UploadMeta, Quota } from './storage/store.js';
export { DiskBackend, type DiskBackendOptions } from './storage/disk/backend.js';
export type { StorageBackend } from './storage/backend.js';
export type { Capabilities } from './storage/capabilities.js';
export { StorageError, type StorageErrorKind } from './storage/errors.js';
export type { ResumableSessions, Session, SessionInit, SessionMeta, AppendOptions } from './storage/sessions.js';
export type { Documents } from './storage/documents.js';
export type { Records } from './storage/records.js';
export type { AuditSink } from './audit/sink.js';
export { VERSION } from './version.js';
