// Debian's default Apache: the event MPM with mod_cgid.
import t from 'tap';
import { apacheCgiSuite } from './cgi-suite.js';

await apacheCgiSuite(t, 'event');
