// From each benchmark's own JSON report (its `--json` output) to rows of the comparative table. Each report is
// read through a zod schema of just the fields used here, so when a benchmark's output changes shape the runner
// says which field went missing instead of printing NaN, and the smoke test (test/bench/run-all.test.ts) fails.
import { z } from 'zod';
import { row, type Row } from './bench-table.ts';
import { ENGINE_LABEL } from './socketio-report.ts';
import { saturated } from './ws-report.ts';

export const BENCH_NAMES = ['engine', 'pricing', 'journal', 'http', 'ws', 'socketio', 'effects'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

function parse<T>(schema: z.ZodType<T>, json: unknown, bench: BenchName): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${bench}: its JSON report does not have the expected shape at ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}

const busy = z.object({ cores: z.number(), eventLoop: z.number() });
/** CPU and event-loop use of the load generator (client) and the server over a measured window (ws-load.ts). */
const measured = z.object({ seconds: z.number(), client: busy, server: busy, serverCpuSeconds: z.number() });
type MeasuredFigures = z.infer<typeof measured>;

const perServerCpu = (count: number, m: MeasuredFigures): number | null => (m.serverCpuSeconds > 0 ? count / m.serverCpuSeconds : null);

/** The generator's own limit, named for each run it capped. */
function generatorNotes(runs: [string, MeasuredFigures][], generator = 'load generator'): string[] {
  const capped = runs.filter(([, m]) => saturated(m)).map(([label]) => label);
  if (capped.length === 0) return [];
  return [`${generator} saturated in the ${capped.join(' and the ')} run${capped.length > 1 ? 's' : ''}: wall-clock figure is a lower bound (compare per server CPU-s)`];
}

// ---------------------------------------------------------------------------------------------------------------

const throughput = z.object({ perSecond: z.number(), perCpuSecond: z.number() });
const engineReport = z.object({ throughput: z.object({ engine: throughput, baseline: throughput, replayMatchesReference: z.boolean() }) });

function engineRows(json: unknown): Row[] {
  const t = parse(engineReport, json, 'engine').throughput;
  const notes = t.replayMatchesReference ? [] : ['the timed run accepted a different number of commands than the reference run'];
  return [row('engine', 'Engine.apply, group-buy command mix', 'commands/s', t.engine.perSecond, 'Map counter update per key', t.baseline.perSecond, notes)];
}

const pricingReport = z.object({ results: z.array(z.object({ name: z.string(), cpuPerSecond: z.number() })).min(1) });

function pricingRows(json: unknown): Row[] {
  const { results } = parse(pricingReport, json, 'pricing');
  const find = (prefix: string): number | null => results.find((r) => r.name.startsWith(prefix))?.cpuPerSecond ?? null;
  const baseline = find('baseline');
  const baselineName = 'groupUnitPrice (tiers + leader)';
  return [
    row('pricing', '6-rule set, evaluatePrice', 'evaluations/CPU-s', find('evaluatePrice'), baselineName, baseline),
    row('pricing', '6-rule set, evaluate + explanation', 'evaluations/CPU-s', find('evaluate (+ explanation with text)'), baselineName, baseline),
  ];
}

const journalStore = z.object({ rawPerS: z.number(), groupCommitPerS: z.number(), groupCommitAckP99Us: z.number() });
const journalReport = z.object({ redis: journalStore.optional(), file: journalStore.optional() });

function journalRows(json: unknown): Row[] {
  const r = parse(journalReport, json, 'journal');
  const rows: Row[] = [];
  const ack = (s: z.infer<typeof journalStore>): string => `ack p99 ${(s.groupCommitAckP99Us / 1_000).toFixed(1)} ms at saturation`;
  if (r.redis) rows.push(row('journal', 'Redis group commit, saturated', 'appends/s', r.redis.groupCommitPerS, 'raw pipelined XADD (ioredis)', r.redis.rawPerS, [ack(r.redis)]));
  if (r.file) rows.push(row('journal', 'file group commit, saturated', 'appends/s', r.file.groupCommitPerS, 'raw write + fdatasync', r.file.rawPerS, [ack(r.file)]));
  return rows;
}

const httpRun = measured.extend({ perSecond: z.number(), requests: z.number(), non2xx: z.number(), errors: z.number(), timeouts: z.number() });
const httpReport = z.object({ raw: httpRun, gateway: httpRun });

function httpRows(json: unknown): Row[] {
  const { raw, gateway } = parse(httpReport, json, 'http');
  const notes = generatorNotes([['gateway', gateway], ['baseline', raw]], 'autocannon');
  const failures = gateway.non2xx + gateway.errors + gateway.timeouts;
  if (failures > 0) notes.push(`${failures} gateway requests failed (non-2xx, errors or timeouts), not counted`);
  return [
    row('http', 'GET /v1/offers/{id}/quote', 'requests/s', gateway.perSecond, 'bare uWS GET, same body', raw.perSecond, notes),
    row('http', 'GET quote, per server CPU-s', 'requests/CPU-s', perServerCpu(gateway.requests, gateway), 'bare uWS GET, same body', perServerCpu(raw.requests, raw)),
  ];
}

const pipeline = measured.extend({ perSecond: z.number(), replies: z.number(), errors: z.number() });
const fanoutWindow = measured.extend({ perSecond: z.number(), delivered: z.number() });
const wsReport = z.object({
  throughput: z.object({ echo: pipeline, gateway: z.object({ quote: pipeline.optional(), join: pipeline.optional() }) }).nullable(),
  fanout: z.array(z.object({ subscribers: z.number(), gateway: z.object({ windowed: fanoutWindow }), raw: z.object({ windowed: fanoutWindow }) })),
});

function wsRows(json: unknown): Row[] {
  const r = parse(wsReport, json, 'ws');
  const rows: Row[] = [];
  if (r.throughput) {
    const echo = r.throughput.echo;
    for (const [label, run] of [['quote', r.throughput.gateway.quote], ['join_group/leave_group', r.throughput.gateway.join]] as const) {
      if (!run) continue;
      const notes = generatorNotes([['gateway', run], ['echo', echo]]);
      if (run.errors > 0) notes.push(`${run.errors} commands refused (counted as replies)`);
      rows.push(row('ws', `command → ack: ${label}`, 'replies/s', run.perSecond, 'raw uWS echo', echo.perSecond, notes));
    }
  }
  for (const f of r.fanout) {
    const g = f.gateway.windowed;
    const raw = f.raw.windowed;
    const subscribers = f.subscribers.toLocaleString('en-US');
    rows.push(row('ws', `fan-out to ${subscribers} subscribers`, 'delivered msgs/s', g.perSecond, 'raw uWS publish', raw.perSecond, generatorNotes([['gateway', g], ['raw publish', raw]])));
    rows.push(row('ws', `fan-out to ${subscribers}, per server CPU-s`, 'msgs/CPU-s', perServerCpu(g.delivered, g), 'raw uWS publish', perServerCpu(raw.delivered, raw)));
  }
  return rows;
}

const socketIoEngine = z.enum(['ws', 'uws']);
const socketIoReport = z.object({
  subscribers: z.number(),
  messageBytes: z.array(z.number()),
  gateway: z.object({ windowed: fanoutWindow }),
  socketio: z.array(z.object({ engine: socketIoEngine, windowed: fanoutWindow })),
  comparisons: z.array(z.object({ engine: socketIoEngine, judged: z.number(), basis: z.string(), goal: z.number(), met: z.boolean() })),
});

/** Which ratio judged the goal (lib/socketio-report.ts's judgeRatio). */
const BASIS_WORDS: Record<string, string> = {
  wall: 'delivered/s',
  lower: 'the lower of delivered/s and server CPU (the Socket.IO run was capped by the generator)',
  cpu: 'server CPU (the generator capped the gateway run)',
};

function socketIoRows(json: unknown): Row[] {
  const r = parse(socketIoReport, json, 'socketio');
  const g = r.gateway.windowed;
  const subscribers = r.subscribers.toLocaleString('en-US');
  const rows: Row[] = [];
  for (const run of r.socketio) {
    const s = run.windowed;
    const label = ENGINE_LABEL[run.engine];
    const verdict = r.comparisons.find((c) => c.engine === run.engine);
    const notes = generatorNotes([['gateway', g], [label, s]]);
    if (verdict) {
      const basis = BASIS_WORDS[verdict.basis] ?? verdict.basis;
      notes.unshift(`goal tuan ≥ ${verdict.goal}× Socket.IO: ${verdict.met ? 'met' : 'NOT met'} (${verdict.judged.toFixed(2)}× by ${basis}; ${r.messageBytes.join(' + ')} bytes a broadcast)`);
    }
    rows.push(row('socketio', `fan-out to ${subscribers} subscribers`, 'delivered msgs/s', g.perSecond, label, s.perSecond, notes));
    rows.push(row('socketio', `fan-out to ${subscribers}, per server CPU-s`, 'msgs/CPU-s', perServerCpu(g.delivered, g), label, perServerCpu(s.delivered, s)));
  }
  return rows;
}

const effectsRun = z.object({ endToEndPerSecond: z.number(), enqueuePerSecond: z.number() });
const effectsReport = z.object({ best: z.object({ raw: effectsRun, outbox: effectsRun }) });

function effectsRows(json: unknown): Row[] {
  const { best } = parse(effectsReport, json, 'effects');
  return [row('effects', 'outbox → BullMQ → provider, end to end', 'effects/s', best.outbox.endToEndPerSecond, 'raw BullMQ: addBulk + no-op worker', best.raw.endToEndPerSecond)];
}

/** Rows of each benchmark's report; throws, naming the field, when a report does not fit. */
export const ROWS_OF: Record<BenchName, (json: unknown) => Row[]> = {
  engine: engineRows,
  pricing: pricingRows,
  journal: journalRows,
  http: httpRows,
  ws: wsRows,
  socketio: socketIoRows,
  effects: effectsRows,
};
