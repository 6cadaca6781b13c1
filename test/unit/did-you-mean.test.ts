import t from 'tap';
import { closestName, didYouMean } from '../../src/config/did-you-mean.js';

const KNOWN = ['STORAGE_DIR', 'MAX_UPLOAD_SIZE', 'PORT', 'HOST', 'JWT_SECRET_KEY', 'QUOTA_BYTES', 'QUOTA_FILES'];

t.test('near misses find their setting', async (t) => {
  t.equal(closestName('STORGE_DIR', KNOWN), 'STORAGE_DIR', 'a letter left out');
  t.equal(closestName('STROAGE_DIR', KNOWN), 'STORAGE_DIR', 'two letters swapped');
  t.equal(closestName('jwt_secret_key', KNOWN), 'JWT_SECRET_KEY', 'lower case');
  t.equal(closestName('JWT_SECRET', KNOWN), undefined, 'four letters short of a 14-letter name is too far for a 10-letter one');
  t.equal(closestName('PROT', KNOWN), 'PORT');
  t.equal(closestName('QUOTA_FILE', KNOWN), 'QUOTA_FILES', 'the closest of two');
  t.equal(closestName('DEBUG', KNOWN), undefined);
  t.equal(closestName('POST', KNOWN), 'PORT', 'short names allow one edit');
  t.equal(closestName('PO', KNOWN), undefined);
});

t.test('the phrase', async (t) => {
  t.equal(didYouMean('MAX_UPLOAD_SZE', KNOWN), ' (did you mean MAX_UPLOAD_SIZE?)');
  t.equal(didYouMean('DEBUG', KNOWN), '');
});
