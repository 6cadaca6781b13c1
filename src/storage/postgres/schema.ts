import { MIGRATIONS } from './migrations.js';
import type { Database } from './pool.js';

/** Any constant shared by every bdfu instance: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x62646675; // "bdfu"

/**
 * Creates or updates the schema, idempotently: several instances starting at once take turns
 * under an advisory lock, and each step is applied once, in one transaction with its
 * bookkeeping (all or nothing). Returns the versions applied now.
 */
export async function migrate(db: Database, migrations = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS bdfu_schema (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM bdfu_schema')).map((row) => row.version));
    const applied: number[] = [];
    for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(step.version)) continue;
      await tx.query(step.sql);
      await tx.query('INSERT INTO bdfu_schema (version, name) VALUES ($1, $2)', [step.version, step.name]);
      applied.push(step.version);
    }
    return applied;
  });
}
