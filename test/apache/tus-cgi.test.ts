// tus through a real Apache running cgi-bin/bdfu (event MPM, mod_cgid, the shipped
// apache/bdfu-cgi.conf): each PATCH is its own CGI process behind Apache, which may de-chunk or
// hold a body; offsets, partial bytes and the writer's lock live on the disk.
import t from 'tap';
import { tusSuite, TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES } from '../e2e/tus-suite.js';
import { reachableTempDir, startApache } from '../helpers/apache.js';
import { includeSnippet, scriptHome, webFixture } from './cgi-suite.js';

const work = reachableTempDir('bdfu-apache-tus-');
const fixture = webFixture('apache-tus-cgi', { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
const config = includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'tus'), BDFU_CONFIG: fixture.config, BDFU_URL: '/files' });
const apache = await startApache(t, { mpm: 'event', config: () => config });

tusSuite(t, () => ({ baseUrl: `${apache.origin}/files/`, storageDir: fixture.storageDir, secret: fixture.secret, apache: 'cgi' }));
