// HTTP benchmark of the gateway's shopper quote route (GET /v1/offers/{offerId}/quote) next to a bare uWS route
// answering a fixed copy of a quote body, both hit by autocannon with the same settings in the same run.
//
//   npm run bench:http                                defaults: 50 connections, 10 s per server (~25 s in all)
//   npm run bench:http -- --duration 5 --connections 100 --pipelining 4
//   npm run -s bench:http -- --json > http-bench.json
//
// Setup: each server runs in a child process (lib/ws-server-child.ts: the gateway with an in-memory journal and
// its rate limits lifted, or the raw uWS app), autocannon runs in this process. Latency is taken from every
// response (autocannon's own histogram keeps whole milliseconds, too coarse for loopback) into lib/histogram.ts.
// Both processes' CPU use is printed: when autocannon, not the server, was saturated, the report says the
// figure is a lower bound, and "per server CPU-s" compares the two servers independently of it.
import autocannon from 'autocannon';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Histogram, type HistogramSummary } from './lib/histogram.ts';
import { killAllServers, ServerChild } from './lib/ws-child.ts';
import { measureAround, type Measured } from './lib/ws-load.ts';
import { busy, machine, notes } from './lib/ws-report.ts';
import { QUOTE_OFFER } from './lib/ws-scenario.ts';

const QUOTE_PATH = `/v1/offers/${QUOTE_OFFER}/quote`;

interface Options {
  connections: number;
  pipelining: number;
  durationS: number;
  warmupS: number;
  maxSeconds: number;
  json: boolean;
}

interface Run extends Measured {
  url: string;
  requests: number;
  perSecond: number;
  latencyNs: HistogramSummary;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Response size as autocannon counted it (headers and body). */
  bytesPerResponse: number;
}

function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: '50' },
      pipelining: { type: 'string', default: '1' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'max-seconds': { type: 'string', default: '120' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  const positive = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
    return value;
  };
  return {
    connections: Math.round(positive('connections', values.connections)),
    pipelining: Math.round(positive('pipelining', values.pipelining)),
    durationS: positive('duration', values.duration),
    warmupS: positive('warmup', values.warmup),
    maxSeconds: positive('max-seconds', values['max-seconds']),
    json: values.json,
  };
}

const USAGE = `Usage: npm run bench:http -- [options]
  --connections <n>   concurrent connections (default 50)
  --pipelining <n>    requests in flight per connection (default 1)
  --duration <s>      measured seconds per server (default 10)
  --warmup <s>        unmeasured seconds per server before it (default 2)
  --max-seconds <s>   abort the whole run (cleanly) after this long (default 120)
  --json              print the figures as JSON instead of text`;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** One autocannon run; every response's latency goes into our histogram when `latency` is given. */
function cannon(url: string, options: Options, durationS: number, latency: Histogram | null): Promise<autocannon.Result & { counted: number }> {
  return new Promise((resolve, reject) => {
    let counted = 0;
    const instance = autocannon({ url, connections: options.connections, pipelining: options.pipelining, duration: durationS }, (error: unknown, result) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve({ ...result, counted });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode < 200 || statusCode > 299) return;
      counted++;
      latency?.record(responseTimeMs * 1e6);
    });
  });
}

async function measure(server: ServerChild, path: string, options: Options): Promise<Run> {
  const url = `${server.httpUrl}${path}`;
  await cannon(url, options, options.warmupS, null);
  const latency = new Histogram();
  let result: (autocannon.Result & { counted: number }) | null = null;
  const measured = await measureAround(server, async () => {
    result = await cannon(url, options, options.durationS, latency);
  });
  const r = result!;
  return {
    ...measured,
    url,
    requests: r.counted,
    perSecond: r.counted / measured.seconds,
    latencyNs: latency.summary(),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytesPerResponse: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const us = (ns: number): string => (ns / 1_000 < 100 ? (ns / 1_000).toFixed(1) : int(ns / 1_000));

function printText(report: { options: Options; machine: string; load: number[]; raw: Run; gateway: Run }): void {
  const { options: o, raw, gateway } = report;
  const cpuRate = (r: Run): number => (r.serverCpuSeconds > 0 ? r.requests / r.serverCpuSeconds : 0);
  const out: string[] = [];
  out.push('HTTP benchmark: autocannon in this process against servers in child processes, over 127.0.0.1');
  out.push(`  ${report.machine}`);
  const cpus = os.cpus().length;
  const contended = Math.max(report.load[0]!, report.load[1]!) > cpus - 0.5 ? ': other processes competed for the CPUs' : '';
  out.push(`  load average ${report.load[0]!.toFixed(1)} at start, ${report.load[1]!.toFixed(1)} at end, on ${cpus} CPUs${contended}`);
  out.push(`  ${o.connections} connections, pipelining ${o.pipelining}, ${o.durationS} s measured after ${o.warmupS} s of warm-up, per server`);
  out.push('');
  out.push(`  ${''.padEnd(36)}${'requests/s'.padStart(12)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'max µs'.padStart(10)}${'per server CPU-s'.padStart(18)}${'bytes'.padStart(7)}   CPU use`);
  for (const [label, r] of [['raw uWS GET /json', raw], [`gateway GET ${QUOTE_PATH.replace(QUOTE_OFFER, '{id}')}`, gateway]] as const) {
    out.push(
      `  ${label.padEnd(36)}${int(r.perSecond).padStart(12)}${us(r.latencyNs.p50).padStart(10)}${us(r.latencyNs.p99).padStart(10)}${us(r.latencyNs.max).padStart(10)}` +
        `${int(cpuRate(r)).padStart(18)}${int(r.bytesPerResponse).padStart(7)}   ${busy(r)}`,
    );
  }
  out.push(`  gateway / raw: ${(gateway.perSecond / raw.perSecond).toFixed(2)}× by requests/s, ${(cpuRate(gateway) / cpuRate(raw)).toFixed(2)}× by server CPU`);
  out.push('  (latency: request written → response read, per response, queueing included; bytes: headers and body per response;');
  out.push('   the raw route answers a copy of a real quote body; the gateway adds its x-request-id header)');
  for (const [label, r] of [['raw uWS', raw], ['gateway', gateway]] as const) {
    out.push(...notes(r, label));
    if (r.non2xx + r.errors + r.timeouts > 0) out.push(`  ${label}: ${int(r.non2xx)} non-2xx responses, ${int(r.errors)} errors, ${int(r.timeouts)} timeouts (not counted above)`);
  }
  console.log(out.join('\n'));
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  process.on('exit', killAllServers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    log(`the run took longer than --max-seconds ${options.maxSeconds}: stopping`);
    killAllServers();
    process.exit(1);
  }, options.maxSeconds * 1_000);
  const startedAt = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const start = { maxConnections: options.connections + 100, tokenSecret: 'x'.repeat(32), joinConnections: 0 };
  const servers: ServerChild[] = [];
  try {
    log('starting the servers…');
    const [raw, gateway] = await Promise.all([ServerChild.start('raw', start), ServerChild.start('gateway', start)]);
    servers.push(raw, gateway);
    // The baseline answers a real quote body, fetched once, so the two routes send (nearly) the same bytes.
    const sample = await fetch(`${gateway.httpUrl}${QUOTE_PATH}`);
    if (sample.status !== 200) throw new Error(`the quote route answered ${sample.status}: ${await sample.text()}`);
    await raw.setRawPayload([], await sample.text());
    log(`raw uWS route, ${options.warmupS} + ${options.durationS} s…`);
    const rawRun = await measure(raw, '/json', options);
    log(`gateway quote route, ${options.warmupS} + ${options.durationS} s…`);
    const gatewayRun = await measure(gateway, QUOTE_PATH, options);
    const report = { options, machine: machine(), load: [loadAtStart, os.loadavg()[0]!], raw: rawRun, gateway: gatewayRun, seconds: (performance.now() - startedAt) / 1_000 };
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else printText(report);
  } finally {
    clearTimeout(watchdog);
    await Promise.all(servers.map((server) => server.stop()));
    killAllServers();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
