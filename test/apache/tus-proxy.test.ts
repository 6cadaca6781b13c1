// tus through Apache as a reverse proxy (the shipped apache/bdfu-proxy.conf) in front of
// `bdfu serve`: PATCH and the tus headers pass, and the upload URLs bdfu makes are Apache's
// (X-Forwarded-* from a trusted proxy).
import t from 'tap';
import { tusSuite, TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES } from '../e2e/tus-suite.js';
import { behindProxy } from './behind-proxy.js';

const { baseUrl, fixture } = await behindProxy(t, 'apache-tus-proxy', { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });

tusSuite(t, () => ({ baseUrl, storageDir: fixture.storageDir, secret: fixture.secret, apache: 'proxy' }));
