import { setFlagsFromString } from 'node:v8';

// V8 grows its young generation from 1 MiB to 16 MiB semi-spaces while bdfu's modules load;
// a big one collects the read buffers of a streaming upload late, so ~30 MiB of them pile
// up. Kept at 1 MiB, a 1 GiB upload peaks ~15 MiB lower at the same speed (docs/performance.md).
// It only works set before the modules load (growth happens then), hence a module imported
// first; the command-line flag --max-semi-space-size=1 does the same for `node`.
setFlagsFromString('--semi-space-growth-factor=1');
