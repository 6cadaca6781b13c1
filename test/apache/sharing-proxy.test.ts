// Public files, share links and file requests through Apache as a reverse proxy (the shipped
// apache/bdfu-proxy.conf) in front of `bdfu serve`: the links bdfu hands out are Apache's URLs
// (X-Forwarded-* from a trusted proxy), and the password throttle counts the client's address.
import t from 'tap';
import { sharingSuite } from '../e2e/sharing-suite.js';
import { behindProxy } from './behind-proxy.js';

const { baseUrl, fixture } = await behindProxy(t, 'apache-sharing-proxy', { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });

sharingSuite(t, () => ({ baseUrl, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
