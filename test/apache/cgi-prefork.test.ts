// The prefork MPM with mod_cgi (what mod_php installs use).
import t from 'tap';
import { apacheCgiSuite } from './cgi-suite.js';

await apacheCgiSuite(t, 'prefork');
