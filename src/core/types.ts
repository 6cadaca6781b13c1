import type { Readable } from 'node:stream';

/** A request as every adapter hands it to the core; no transport types leak in. */
export interface CoreRequest {
  method: string;
  /** Path below the mount point, percent-encoded as sent, always starting with `/`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. Repeated headers are joined with `, ` (RFC 9110 §5.3). */
  headers: Record<string, string>;
  body: Readable;
  remoteAddress: string;
  /** Absolute URL of the mount point, ending in `/`: links the core makes start here. */
  baseUrl: string;
  /**
   * Called by the core once it has accepted the request and is about to read the body,
   * so an adapter can answer `Expect: 100-continue` only for requests that will be served.
   */
  acceptBody?: () => void;
  /** What routes learn for the audit trail (who, which file, how many bytes); the app writes the line. */
  audit?: AuditFacts;
}

export interface AuditFacts {
  /** What the request turned out to do, when its route's name says less (a tus PATCH that finished an upload). */
  action?: string;
  user?: string;
  /** Whose file it is, when that is not the user (admins, links). */
  owner?: string;
  id?: string;
  name?: string;
  bytes?: number;
  /** The share link, public short id or file request the request came through. */
  link?: string;
}

export type ResponseBody = Readable | Uint8Array | string;

export interface CoreResponse {
  status: number;
  headers: Record<string, string>;
  body?: ResponseBody;
}

export type Handler = (req: CoreRequest) => Promise<CoreResponse>;
