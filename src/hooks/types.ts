import type { Action, Resource } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import type { FileRecord } from '../storage/store.js';

/** What an authorize hook is asked about: every action bdfu's policy decides, and reading the audit trail. */
export type HookAction = Action | 'audit';

/** The request as a hook sees it: no body, no Authorization header. */
export interface HookRequest {
  method: string;
  /** Below the mount point, as sent. */
  path: string;
  remoteAddress: string;
  headers: Record<string, string>;
}

export interface AuthorizeEvent {
  /** Undefined for a download by a signed link or a download token: no bearer token was used. */
  principal: Principal | undefined;
  action: HookAction;
  resource: Resource;
  request: HookRequest;
}

/** Allow, or deny with a status (a 4xx, 403 by default) and a message the client sees. */
export type AuthorizeVerdict = { allow: true } | { allow: false; status?: number; message?: string };

export interface BeforeCommitEvent {
  user: string;
  /** The name the client gave (never a path). */
  name: string;
  type: string;
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** The finished temporary file, when the storage keeps one on disk; read it, never move it. */
  path?: string;
}

/** Accept, or reject: the upload is discarded and the client gets 422 `rejected_by_hook` with the reason. */
export type BeforeCommitVerdict = { accept: true } | { accept: false; reason: string };

export interface AfterEvent {
  /** Who did it; null for a download by a signed link or a download token. */
  user: string | null;
  record: FileRecord;
}

export interface AfterShareEvent extends AfterEvent {
  /** `signed`: a stateless signed link; `link`: a counted, revocable share link; `public`: the file was made public. */
  kind: 'signed' | 'link' | 'public';
  /** The URL handed out. */
  url: string;
  /** When the link stops working (ISO 8601); null for a public file or a link that never expires. */
  expires: string | null;
  /** A share link's id (to match a later revocation), or a public file's short id. */
  link?: string;
  /** A share link's download limit, when it has one. */
  maxDownloads?: number;
}

/**
 * In-process hooks for library users. Before-hooks decide (a throw or a timeout is 500
 * `hook_failed`); after-hooks react (a failure is logged, never seen by the client).
 */
export interface Hooks {
  /** Runs after bdfu's own policy allowed the action: it can only narrow, never widen. */
  authorize?(event: AuthorizeEvent): AuthorizeVerdict | Promise<AuthorizeVerdict>;
  beforeCommit?(event: BeforeCommitEvent): BeforeCommitVerdict | Promise<BeforeCommitVerdict>;
  afterUpload?(event: AfterEvent): unknown;
  afterDownload?(event: AfterEvent): unknown;
  afterDelete?(event: AfterEvent): unknown;
  afterShare?(event: AfterShareEvent): unknown;
}

export type AfterEventName = 'afterUpload' | 'afterDownload' | 'afterDelete' | 'afterShare';
export type HookEventName = 'authorize' | 'beforeCommit' | AfterEventName;

/** The request a hook decision belongs to, for its line in the audit trail (a CoreRequest fits). */
export interface HookCaller {
  remoteAddress: string;
  audit?: { user?: string };
}

/**
 * What routes call; built only when a hook is configured (`deps.hooks` is undefined otherwise,
 * and no hook code is loaded). Plain async functions: any route that stores or serves files calls them.
 */
export interface HookRunner {
  /** Throws 4xx `denied_by_hook`, or 500 `hook_failed`. */
  authorize(event: AuthorizeEvent): Promise<void>;
  /** Throws 422 `rejected_by_hook`, or 500 `hook_failed`. */
  beforeCommit(event: BeforeCommitEvent, caller: HookCaller): Promise<void>;
  /** Starts delivering an after-event and returns at once; failures are logged and audited. */
  after(name: AfterEventName, event: AfterEvent | AfterShareEvent, caller: HookCaller): void;
  /** Resolves when every after-event started so far was delivered or given up on. */
  settled(): Promise<void>;
}
