// Command-line options of the engine benchmark: flags, or the same names as BENCH_* environment variables.
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WORKLOAD } from './workload.ts';

export interface Options {
  commands: number;
  latencyCommands: number;
  warmup: number;
  offers: number;
  shoppers: number;
  rate: number;
  seed: number;
  simRate: number;
  json: boolean;
  profile: boolean;
  profileOut: string;
}

const NUMERIC_OPTIONS = {
  commands: { default: 1_000_000, help: 'commands in the stream and the throughput run' },
  'latency-commands': { default: 500_000, help: 'commands in the paced latency run (a prefix of the same stream)' },
  warmup: { default: 0, help: 'extra warm-up commands on a throwaway engine (the reference run already warms up)' },
  offers: { default: DEFAULT_WORKLOAD.offers, help: 'offers created before the stream' },
  shoppers: { default: DEFAULT_WORKLOAD.shoppers, help: 'distinct shoppers in the stream' },
  rate: { default: 200_000, help: 'paced rate for the latency run, commands/s' },
  seed: { default: 1, help: 'PRNG seed of the workload' },
  'sim-rate': { default: DEFAULT_WORKLOAD.simCommandsPerSecond, help: 'commands per simulated second (how fast group deadlines come)' },
} as const;

export const USAGE = `Usage: npm run bench:engine -- [options]
${Object.entries(NUMERIC_OPTIONS)
  .map(([name, { default: value, help }]) => `  --${name.padEnd(18)} ${help} (default ${value})`)
  .join('\n')}
  --json               print the figures as JSON instead of text
  --profile            profile the throughput run (skips latency and baseline) and print the hot spots
  --profile-out <file> where to write the .cpuprofile (default: the OS temp directory)
Numbers accept _ separators and k/m suffixes (200k, 3m). Each option can also come from BENCH_<NAME>
(upper case, - as _), e.g. BENCH_LATENCY_COMMANDS=500k; the command line wins.`;

function parseCount(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(raw.replace(/_/g, '').trim());
  const value = match ? Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as 'k' | 'm'] ?? 1) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || !Number.isInteger(value)) throw new Error(`--${name}: expected a non-negative integer, got "${raw}"`);
  return value;
}

function envName(name: string): string {
  return `BENCH_${name.toUpperCase().replace(/-/g, '_')}`;
}

export function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(NUMERIC_OPTIONS).map((name) => [name, { type: 'string' as const }])),
      json: { type: 'boolean' },
      profile: { type: 'boolean' },
      'profile-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  const get = (name: keyof typeof NUMERIC_OPTIONS): number => {
    const raw = ((values as Record<string, string | boolean | undefined>)[name] as string | undefined) ?? process.env[envName(name)];
    return raw === undefined ? NUMERIC_OPTIONS[name].default : parseCount(name, raw);
  };
  const flag = (name: 'json' | 'profile'): boolean => values[name] === true || ['1', 'true', 'yes'].includes(process.env[envName(name)] ?? '');
  const commands = Math.max(1, get('commands'));
  const options: Options = {
    commands,
    latencyCommands: Math.min(get('latency-commands'), commands),
    warmup: Math.min(get('warmup'), commands),
    offers: Math.max(1, get('offers')),
    shoppers: Math.max(1, get('shoppers')),
    rate: Math.max(1, get('rate')),
    seed: get('seed') >>> 0,
    simRate: Math.max(1, get('sim-rate')),
    json: flag('json'),
    profile: flag('profile'),
    profileOut: (values['profile-out'] as string | undefined) ?? process.env.BENCH_PROFILE_OUT ?? join(os.tmpdir(), `engine-bench-${process.pid}.cpuprofile`),
  };
  return options;
}
