/**
 * What a storage backend can do. A setting that needs a capability the backend lacks is refused
 * at start-up with one line (never a surprise at run time); the tus route advertises only the
 * extensions whose capability is there.
 */
export interface Capabilities {
  /** Per-user quota held atomically across processes (and instances). */
  quota: boolean;
  /** Resumable sessions (create → append at an offset → complete). */
  sessions: boolean;
  /** Sessions can be concatenated (tus partial and final uploads). */
  concatenation: boolean;
  /** Keyed documents with versions and preconditions. */
  documents: boolean;
  /** Downloads can be answered with a redirect to a presigned object URL. */
  presignedGet: boolean;
  /** State is shared by every instance (several `bdfu serve` behind a balancer). */
  sharedAcrossHosts: boolean;
}
