import type { AuditFacts, CoreRequest } from './types.js';

/** Adds what a route learned about a request to what the audit trail will record. */
export function noteAudit(req: CoreRequest, facts: AuditFacts): void {
  req.audit = { ...req.audit, ...facts };
}
