// The one copy lives in bench/lib/ (the bench starts Apache too); tests import it from here.
export * from '../../bench/lib/apache.js';
