// The WebSocket benchmark's report: the figures next to their baselines and goals, and a plain statement
// wherever the load generator, not the server, set a figure. Goals are judged here and printed, never asserted.
import os from 'node:os';
import type { HistogramSummary } from './histogram.ts';
import type { FanoutResult, RoundsResult } from './ws-fanout.ts';
import type { Measured, PipelineResult } from './ws-load.ts';

export const GOALS = { echoRatioMin: 0.5, broadcastP50MaxUs: 250, broadcastP99MaxUs: 2_000, fanoutRatioMin: 0.7, idleBytesMax: 4_096 };
/** Above this share of one core (or of its event loop's time) a process is taken as saturated. */
const SATURATED = 0.9;
/** Event-loop busy share minus CPU share above which a process is taken as waiting for a CPU. */
const STARVED = 0.25;

export interface Throughput {
  connections: number;
  depth: number;
  echo: PipelineResult;
  gateway: { quote?: PipelineResult; join?: PipelineResult };
}

export interface FanoutSize {
  subscribers: number;
  /** Sizes of the messages each broadcast delivers (the gateway's, which the raw baseline copies). */
  messageBytes: number[];
  gateway: { rounds: RoundsResult; windowed: FanoutResult };
  raw: { rounds: RoundsResult; windowed: FanoutResult };
}

export interface IdleMemory {
  connections: number;
  rssBefore: number;
  rssAfter: number;
  rssPerConnection: number;
  heapPerConnection: number;
  externalPerConnection: number;
}

/** A gateway/baseline ratio goal, and which ratio decided it (see `judge`). */
export interface RatioGoal {
  ratio: number;
  cpuRatio: number;
  basis: 'wall' | 'lower' | 'cpu';
  met: boolean;
}

/**
 * Which ratio to trust. Neither run capped by the generator: the wall-clock ratio. Only the baseline capped: it
 * could have gone faster, so the wall ratio flatters the gateway, and so does the CPU ratio (a lightly loaded
 * server spends more CPU per message); the lower of the two is the best estimate. The gateway's run capped too:
 * the wall ratio compares how much CPU the generator got in each run, so only the CPU ratio means anything.
 */
function judge(ratio: number, cpuRatio: number, baseline: Measured, run: Measured, goal: number): RatioGoal {
  const basis = saturated(run) ? 'cpu' : saturated(baseline) ? 'lower' : 'wall';
  const value = basis === 'cpu' ? cpuRatio : basis === 'lower' ? Math.min(ratio, cpuRatio) : ratio;
  return { ratio, cpuRatio, basis, met: value >= goal };
}

const BASIS_TEXT: Record<RatioGoal['basis'], string> = {
  wall: 'by the wall-clock ratio',
  lower: 'by the lower ratio: the baseline was capped by the generator',
  cpu: 'by the server CPU ratio: the generator capped both runs',
};

export interface Goals {
  throughput: RatioGoal[];
  /** Judged on the gateway's join → each receiver; `conclusive` is false when the raw floor is already above the goal. */
  broadcast: { subscribers: number; p50Us: number; p99Us: number; rawP50Us: number; rawP99Us: number; met: boolean; conclusive: boolean } | null;
  fanout: (RatioGoal & { subscribers: number })[];
  memory: { bytesPerConnection: number; met: boolean } | null;
}

export interface Report {
  options: object;
  machine: string;
  load: { atStart: number; atEnd: number };
  throughput: Throughput | null;
  fanout: FanoutSize[];
  memory: { raw: IdleMemory; gateway: IdleMemory } | null;
  /** Client connections the server closed during the run, by close code: a slow consumer shows up here. */
  unexpectedCloses: Record<string, number>;
  goals?: Goals;
}

export function machine(): string {
  const cpus = os.cpus();
  return `Node ${process.version} · ${process.platform} ${process.arch} · ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model.trim() ?? 'unknown'})`;
}

export const saturated = (m: Measured): boolean => m.client.cores >= SATURATED || m.client.eventLoop >= SATURATED;

const perServerCpu = (count: number, m: Measured): number => (m.serverCpuSeconds > 0 ? count / m.serverCpuSeconds : 0);

export function goalsOf(report: Report): Goals {
  const goals: Goals = { throughput: [], broadcast: null, fanout: [], memory: null };
  const t = report.throughput;
  if (t) {
    for (const run of [t.gateway.quote, t.gateway.join]) {
      if (!run) continue;
      const cpuRatio = perServerCpu(run.replies, run) / perServerCpu(t.echo.replies, t.echo);
      goals.throughput.push(judge(run.perSecond / t.echo.perSecond, cpuRatio, t.echo, run, GOALS.echoRatioMin));
    }
  }
  const opts = report.options as { subscribers?: number };
  const at = report.fanout.find((f) => f.subscribers === opts.subscribers) ?? report.fanout[0];
  if (at) {
    const within = (p50Us: number, p99Us: number): boolean => p50Us <= GOALS.broadcastP50MaxUs && p99Us <= GOALS.broadcastP99MaxUs;
    const [p50Us, p99Us] = [at.gateway.rounds.eachNs.p50 / 1_000, at.gateway.rounds.eachNs.p99 / 1_000];
    const [rawP50Us, rawP99Us] = [at.raw.rounds.eachNs.p50 / 1_000, at.raw.rounds.eachNs.p99 / 1_000];
    goals.broadcast = { subscribers: at.subscribers, p50Us, p99Us, rawP50Us, rawP99Us, met: within(p50Us, p99Us), conclusive: within(rawP50Us, rawP99Us) };
  }
  for (const f of report.fanout) {
    const g = f.gateway.windowed;
    const r = f.raw.windowed;
    const cpuRatio = perServerCpu(g.delivered, g) / perServerCpu(r.delivered, r);
    goals.fanout.push({ subscribers: f.subscribers, ...judge(g.perSecond / r.perSecond, cpuRatio, r, g, GOALS.fanoutRatioMin) });
  }
  if (report.memory) {
    const bytes = report.memory.gateway.rssPerConnection;
    goals.memory = { bytesPerConnection: bytes, met: bytes <= GOALS.idleBytesMax };
  }
  return goals;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (share: number): string => `${Math.round(share * 100)} %`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
const times = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');

function us(ns: number): string {
  const v = ns / 1_000;
  if (Math.abs(v) < 10) return v.toFixed(2);
  if (Math.abs(v) < 1_000) return v.toFixed(1);
  return int(v);
}

function kb(bytes: number): string {
  return `${(bytes / 1_024).toFixed(2)} KB`;
}

export function busy(m: Measured): string {
  return `server ${pct(m.server.cores)} CPU / loop ${pct(m.server.eventLoop)}, generator ${pct(m.client.cores)} CPU / loop ${pct(m.client.eventLoop)}`;
}

/**
 * What bounded a figure. A saturated generator caps it (a lower bound). A process whose event loop was busy for
 * much longer than it had a CPU was waiting to be scheduled: something else on the machine took the CPU.
 */
export function notes(m: Measured, label: string): string[] {
  const out: string[] = [];
  if (saturated(m)) out.push(`  ${label}: load generator saturated (${busy(m)}): figure is a lower bound`);
  const waited = [m.client.eventLoop - m.client.cores >= STARVED ? 'generator' : null, m.server.eventLoop - m.server.cores >= STARVED ? 'server' : null].filter(Boolean);
  if (waited.length > 0) out.push(`  ${label}: the ${waited.join(' and the ')} spent time runnable but off the CPU: other processes competed, so the figure is pessimistic`);
  return out;
}

function throughputLines(t: Throughput): string[] {
  const out: string[] = [];
  out.push(`Command → reply throughput: ${int(t.connections)} connections × ${t.depth} in flight, each reply sends the next`);
  out.push(`  ${''.padEnd(24)}${'replies/s'.padStart(11)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'per server CPU-s'.padStart(18)}   CPU use`);
  const row = (label: string, r: PipelineResult): string =>
    `  ${label.padEnd(24)}${int(r.perSecond).padStart(11)}${us(r.roundTripNs.p50).padStart(10)}${us(r.roundTripNs.p99).padStart(10)}` +
    `${int(perServerCpu(r.replies, r)).padStart(18)}   ${busy(r)}`;
  out.push(row('raw uWS echo', t.echo));
  const runs: [string, PipelineResult | undefined][] = [
    ['gateway quote', t.gateway.quote],
    ['gateway join/leave', t.gateway.join],
  ];
  for (const [label, r] of runs) if (r) out.push(row(label, r));
  for (const [label, r] of runs) {
    if (!r || r.errors === 0) continue;
    const codes = Object.entries(r.errorCodes).map(([code, n]) => `${code} ${int(n)}`).join(', ');
    out.push(`  ${label}: ${int(r.errors)} commands refused (${codes}); refusals are counted as replies above`);
  }
  out.push('  (p50/p99: send → reply under this load, queueing included; per server CPU-s: replies per second of the');
  out.push('   server process\'s CPU time, which the generator cannot cap. The echo server answers the same request text.)');
  for (const [label, r] of [['raw uWS echo', t.echo] as const, ...runs]) if (r) out.push(...notes(r, label));
  const echoFaster = Math.max(...runs.map(([, r]) => (r ? r.perSecond : 0))) * 1.1 >= t.echo.perSecond;
  if (echoFaster) out.push('  The echo baseline was no faster than the gateway: the generator set both figures, so compare by server CPU.');
  return out;
}

function latencyRow(label: string, s: HistogramSummary): string {
  return `  ${label.padEnd(34)}${[s.p50, s.p90, s.p99, s.p999, s.max].map((v) => us(v).padStart(10)).join('')}${int(s.count).padStart(11)}`;
}

function broadcastLines(f: FanoutSize): string[] {
  const out: string[] = [];
  const g = f.gateway.rounds;
  out.push(
    `Join → broadcast, ${int(f.subscribers)} subscribers on one offer channel, one broadcast at a time ` +
      `(${int(g.recorded)} joins timed; each also sends a stock_changed, ${f.messageBytes.join(' + ')} bytes), µs:`,
  );
  out.push(`  ${''.padEnd(34)}${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(10)).join('')}${'samples'.padStart(11)}`);
  const block = (name: string, r: RoundsResult, what: string): void => {
    out.push(latencyRow(`${name} ${what} → ack`, r.ackNs));
    out.push(latencyRow(`${name} ${what} → first receiver`, r.firstNs));
    out.push(latencyRow(`${name} ${what} → each receiver`, r.eachNs));
    out.push(latencyRow(`${name} ${what} → last receiver`, r.lastNs));
  };
  block('gateway', g, 'join');
  block('raw uWS', f.raw.rounds, 'publish');
  out.push('  (from the moment the driver sent its command; "each receiver" has one sample per subscriber and broadcast, so it');
  out.push('   includes this process reading the other subscribers\' sockets first: the raw rows show that floor)');
  return out;
}

function fanoutLines(sizes: FanoutSize[], window: number): string[] {
  const out: string[] = [];
  out.push(`Fan-out: ${window} broadcasts in flight, each to every subscriber`);
  out.push(`  ${'subscribers'.padStart(11)}  ${'server'.padEnd(16)}${'delivered/s'.padStart(13)}${'per server CPU-s'.padStart(18)}${'p99 last µs'.padStart(13)}${'p99 last, alone'.padStart(17)}   CPU use`);
  for (const f of sizes) {
    for (const [name, r] of [['gateway', f.gateway], ['raw uWS publish', f.raw]] as const) {
      out.push(
        `  ${int(f.subscribers).padStart(11)}  ${name.padEnd(16)}${int(r.windowed.perSecond).padStart(13)}${int(perServerCpu(r.windowed.delivered, r.windowed)).padStart(18)}` +
          `${us(r.windowed.lastNs.p99).padStart(13)}${us(r.rounds.lastNs.p99).padStart(17)}   ${busy(r.windowed)}`,
      );
    }
    for (const [name, r] of [['gateway', f.gateway.windowed], ['raw uWS publish', f.raw.windowed]] as const) out.push(...notes(r, `${int(f.subscribers)}, ${name}`));
  }
  out.push('  (p99 last: trigger sent → the last subscriber got it, with the window in flight; "alone": one broadcast at a time.');
  out.push('   The raw server publishes pre-encoded messages of the gateway\'s sizes; per server CPU-s does not depend on the generator.)');
  return out;
}

function memoryLines(m: { raw: IdleMemory; gateway: IdleMemory }): string[] {
  const out: string[] = [];
  out.push(`Memory per idle connection: ${int(m.gateway.connections)} connections opened on a fresh server process, read after a full GC`);
  out.push(`  ${''.padEnd(16)}${'RSS before'.padStart(12)}${'RSS after'.padStart(12)}${'RSS/conn'.padStart(12)}${'heap/conn'.padStart(12)}${'external/conn'.padStart(15)}`);
  for (const [name, r] of [['raw uWS', m.raw], ['gateway', m.gateway]] as const) {
    const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
    out.push(`  ${name.padEnd(16)}${mb(r.rssBefore).padStart(12)}${mb(r.rssAfter).padStart(12)}${kb(r.rssPerConnection).padStart(12)}${kb(r.heapPerConnection).padStart(12)}${kb(r.externalPerConnection).padStart(15)}`);
  }
  out.push(`  gateway − raw uWS: ${kb(m.gateway.rssPerConnection - m.raw.rssPerConnection)} RSS per connection (what the gateway adds to a bare uWS socket)`);
  return out;
}

export function printText(report: Report): void {
  const goals = report.goals ?? goalsOf(report);
  const o = report.options as { window: number; lowered: string[] };
  const out: string[] = [];
  out.push('WebSocket benchmark: the gateway (in-memory journal, rate limits lifted) and a bare uWS server, each in a child');
  out.push('process, driven by `ws` clients in this process over 127.0.0.1');
  out.push(`  ${report.machine}`);
  const cpus = os.cpus().length;
  const busyMachine = Math.max(report.load.atStart, report.load.atEnd) > cpus - 0.5;
  out.push(`  load average ${report.load.atStart.toFixed(1)} at start, ${report.load.atEnd.toFixed(1)} at end, on ${cpus} CPUs${busyMachine ? ': other processes competed for the CPUs' : ''}`);
  for (const line of o.lowered) out.push(`  ${line}`);
  const t = report.throughput;
  if (t) {
    out.push('', ...throughputLines(t));
    for (const [i, g] of goals.throughput.entries()) {
      const label = [t.gateway.quote ? 'quote' : null, t.gateway.join ? 'join/leave' : null].filter(Boolean)[i];
      out.push(
        `  goal ≥ ${GOALS.echoRatioMin} of echo (${label}): ${verdict(g.met)}` +
          ` (${times(g.ratio)} by replies/s, ${times(g.cpuRatio)} by server CPU; judged ${BASIS_TEXT[g.basis]})`,
      );
    }
  }
  const atGoal = report.fanout.find((f) => f.subscribers === goals.broadcast?.subscribers);
  if (atGoal && goals.broadcast) {
    out.push('', ...broadcastLines(atGoal));
    const g = goals.broadcast;
    out.push(
      `  goal join → each receiver p50 ≤ ${GOALS.broadcastP50MaxUs} µs, p99 ≤ ${int(GOALS.broadcastP99MaxUs)} µs: ${verdict(g.met)} ` +
        `(p50 ${us(g.p50Us * 1_000)} µs, p99 ${us(g.p99Us * 1_000)} µs; the gateway adds ${us((g.p50Us - g.rawP50Us) * 1_000)} µs at p50 ` +
        `and ${us((g.p99Us - g.rawP99Us) * 1_000)} µs at p99 over raw publish)`,
    );
    if (!g.conclusive) {
      out.push('  inconclusive: the raw uWS publish measured by this generator is itself above the goal, so this machine and');
      out.push('  generator cannot show whether the gateway meets it; the added latency over raw publish is the figure to watch');
    }
    out.push(...notes(atGoal.gateway.rounds, 'gateway join → broadcast'), ...notes(atGoal.raw.rounds, 'raw publish → broadcast'));
  }
  if (report.fanout.length > 0) {
    out.push('', ...fanoutLines(report.fanout, o.window));
    for (const g of goals.fanout) {
      out.push(
        `  goal ≥ ${GOALS.fanoutRatioMin} of raw publish at ${int(g.subscribers)}: ${verdict(g.met)} ` +
          `(${times(g.ratio)} by delivered/s, ${times(g.cpuRatio)} by server CPU; judged ${BASIS_TEXT[g.basis]})`,
      );
    }
  }
  if (report.memory && goals.memory) {
    out.push('', ...memoryLines(report.memory));
    out.push(`  goal ≤ ${kb(GOALS.idleBytesMax)} per idle connection (gateway RSS): ${verdict(goals.memory.met)}`);
  }
  const closes = Object.entries(report.unexpectedCloses);
  if (closes.length > 0) out.push('', `Connections closed by the server during the run, by close code: ${closes.map(([code, n]) => `${code} × ${n}`).join(', ')}`);
  console.log(out.join('\n'));
}
