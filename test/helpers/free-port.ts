// The one copy lives in bench/lib/ (the bench starts these services too); tests import it from here.
export * from '../../bench/lib/free-port.js';
