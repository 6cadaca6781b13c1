const UNITS: Record<string, number> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 };

/** "1G", "256M", "512k", "1048576" → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: ${JSON.stringify(text)} (use e.g. 1G, 256M)`);
  const bytes = Math.round(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  if (bytes < 1 << 20) throw new Error(`size ${text} is below 1M: too small to measure throughput`);
  return bytes;
}

export const MEASURES = ['upload', 'memory', 'small', 'cgi', 'apache', 'startup', 'download', 'tus', 's3'] as const;
export type MeasureName = (typeof MEASURES)[number];
/** What runs without --only: all but s3, which needs Swift and PostgreSQL and is asked for by name. */
export const DEFAULT_MEASURES: readonly MeasureName[] = MEASURES.filter((name) => name !== 's3');

export interface BenchOptions {
  /** Size of the large upload and download. */
  size: number;
  /** Runs per figure for the large transfers (each figure is the median of them). */
  runs: number;
  /** Process spawns per figure for start-up and CGI. */
  spawns: number;
  /** Seconds each small-upload run lasts. */
  seconds: number;
  /** Concurrent keep-alive clients for small uploads. */
  clients: number;
  only: ReadonlySet<MeasureName>;
  /** Where the results go as JSON; undefined: bench/results.json in the checkout. */
  out?: string;
}

const HELP = `usage: npm run bench -- [--size 1G] [--runs 3] [--spawns 15] [--seconds 5] [--clients 16] [--only ${DEFAULT_MEASURES.join(',')}] [--out FILE]
--only s3 (not run by default) measures the S3 + PostgreSQL storage against a private Swift and PostgreSQL.
--out FILE writes the results there instead of bench/results.json.
The same settings as environment variables: BENCH_SIZE, BENCH_RUNS, BENCH_SPAWNS, BENCH_SECONDS, BENCH_CLIENTS, BENCH_ONLY, BENCH_OUT.`;

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number above 0, got ${JSON.stringify(text)}`);
  return value;
}

/** Flags win over BENCH_* variables, which win over the defaults. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const raw: Record<string, string | undefined> = {
    size: env.BENCH_SIZE, runs: env.BENCH_RUNS, spawns: env.BENCH_SPAWNS, seconds: env.BENCH_SECONDS,
    clients: env.BENCH_CLIENTS, only: env.BENCH_ONLY, out: env.BENCH_OUT,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    const match = /^--(size|runs|spawns|seconds|clients|only|out)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}\n${HELP}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value\n${HELP}`);
    raw[match[1]!] = value;
  }
  const only = new Set<MeasureName>();
  for (const name of (raw.only ?? DEFAULT_MEASURES.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(MEASURES as readonly string[]).includes(name)) throw new Error(`unknown measure ${name} (known: ${MEASURES.join(', ')})`);
    only.add(name as MeasureName);
  }
  return {
    size: parseSize(raw.size ?? '1G'),
    runs: positive('runs', raw.runs ?? '3'),
    spawns: positive('spawns', raw.spawns ?? '15'),
    seconds: positive('seconds', raw.seconds ?? '5'),
    clients: positive('clients', raw.clients ?? '16'),
    only,
    out: raw.out || undefined,
  };
}
