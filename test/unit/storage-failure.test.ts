import t from 'tap';
import { HttpError } from '../../src/core/http-error.js';
import { storageFailure } from '../../src/routes/storage-failure.js';
import { StorageError, type StorageErrorKind } from '../../src/storage/errors.js';
import { QuotaExceededError } from '../../src/storage/store.js';

t.test('every storage error kind has its status and code', async (t) => {
  const expected: Record<StorageErrorKind, [number, string]> = {
    not_found: [404, 'not_found'],
    conflict: [409, 'conflict'],
    precondition_failed: [412, 'precondition_failed'],
    locked: [423, 'locked'],
    quota: [507, 'quota_exceeded'],
    full: [507, 'insufficient_storage'],
    too_large: [413, 'too_large'],
    expired: [410, 'expired'],
    checksum_mismatch: [460, 'checksum_mismatch'],
    unavailable: [503, 'storage_unavailable'],
    io: [500, 'storage_error'],
    invalid: [400, 'invalid_name'],
    unwritable: [500, 'storage_unwritable'],
    rejected: [422, 'rejected_by_hook'],
  };
  for (const [kind, [status, code]] of Object.entries(expected)) {
    t.match(storageFailure(new StorageError(kind as StorageErrorKind, 'x')), { name: 'HttpError', status, code }, kind);
  }
});

t.test('unavailable asks to retry; quota says how much; a bad user name is invalid_user', async (t) => {
  t.equal(storageFailure(new StorageError('unavailable', 'PostgreSQL at db:5432 does not answer')).headers['retry-after'], '5');
  t.same(storageFailure(new QuotaExceededError('full', 10, 10, 'files')).details, { used: 10, allowed: 10, unit: 'files' });
  t.equal(storageFailure(new StorageError('invalid', 'bad', { details: { field: 'user' } })).code, 'invalid_user');
});

t.test("a refusal by the route's own check comes back as the check answered it", async (t) => {
  const hookAnswer = new HttpError(500, 'hook_failed', 'the hook failed');
  t.equal(storageFailure(new StorageError('rejected', 'refused', { cause: hookAnswer })), hookAnswer);
});

t.test('errno from the disk', async (t) => {
  t.match(storageFailure(Object.assign(new Error('x'), { code: 'ENOSPC' })), { status: 507, code: 'insufficient_storage' });
  t.match(storageFailure(Object.assign(new Error('x'), { code: 'EIO' })), { status: 500, code: 'storage_error', message: /EIO/ });
});
