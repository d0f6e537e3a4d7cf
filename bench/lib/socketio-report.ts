// The Socket.IO comparison's report: tuan's gateway fan-out next to the same fan-out through Socket.IO, with the
// ratio judged the way ws-report.ts judges the gateway against raw uWS (which ratio to trust depends on which
// run the load generator capped). Goals are printed, never asserted.
import os from 'node:os';
import type { FanoutResult, RoundsResult } from './ws-fanout.ts';
import type { Measured } from './ws-load.ts';
import { busy, notes, saturated } from './ws-report.ts';
import type { SocketIoEngine } from './socketio-child.ts';

/** Issue 7's goal: tuan delivers at least this many times Socket.IO's messages per second. */
export const SOCKETIO_GOAL_RATIO = 10;

export interface FanoutRun {
  rounds: RoundsResult;
  windowed: FanoutResult;
}

export interface SocketIoComparison {
  engine: SocketIoEngine;
  /** tuan / Socket.IO by delivered messages per wall-clock second. */
  ratio: number;
  /** tuan / Socket.IO by delivered messages per second of the server process's CPU time. */
  cpuRatio: number;
  /** Which ratio decides the goal: see `judgeRatio`. */
  basis: 'wall' | 'lower' | 'cpu';
  judged: number;
  goal: number;
  met: boolean;
}

export interface SocketIoReport {
  options: { subscribers: number; window: number; fanoutDurationS: number; warmupS: number; rounds: number; roundsS: number; engines: SocketIoEngine[]; lowered: string[] };
  machine: string;
  load: { atStart: number; atEnd: number };
  subscribers: number;
  /** Bytes on the wire of the messages each broadcast delivers, the gateway's; Socket.IO's frames are padded to match. */
  messageBytes: number[];
  gateway: FanoutRun;
  socketio: (FanoutRun & { engine: SocketIoEngine })[];
  comparisons: SocketIoComparison[];
  unexpectedCloses: Record<string, number>;
}

export const perServerCpu = (count: number, m: Measured): number => (m.serverCpuSeconds > 0 ? count / m.serverCpuSeconds : 0);

/**
 * Neither run capped by the generator: the wall-clock ratio. Only the baseline capped: the lower of the wall and
 * CPU ratios (both flatter tuan then). tuan's run capped: only the server CPU ratio means anything.
 */
type Delivered = Measured & Pick<FanoutResult, 'perSecond' | 'delivered'>;

export function judgeRatio(gateway: Delivered, baseline: Delivered): Pick<SocketIoComparison, 'ratio' | 'cpuRatio' | 'basis' | 'judged'> {
  const ratio = baseline.perSecond > 0 ? gateway.perSecond / baseline.perSecond : Number.POSITIVE_INFINITY;
  const baselineCpu = perServerCpu(baseline.delivered, baseline);
  const cpuRatio = baselineCpu > 0 ? perServerCpu(gateway.delivered, gateway) / baselineCpu : Number.POSITIVE_INFINITY;
  const basis = saturated(gateway) ? 'cpu' : saturated(baseline) ? 'lower' : 'wall';
  const judged = basis === 'cpu' ? cpuRatio : basis === 'lower' ? Math.min(ratio, cpuRatio) : ratio;
  return { ratio, cpuRatio, basis, judged };
}

export function compareWithSocketIo(gateway: FanoutRun, socketio: (FanoutRun & { engine: SocketIoEngine })[]): SocketIoComparison[] {
  return socketio.map((run) => {
    const judged = judgeRatio(gateway.windowed, run.windowed);
    return { engine: run.engine, ...judged, goal: SOCKETIO_GOAL_RATIO, met: judged.judged >= SOCKETIO_GOAL_RATIO };
  });
}

export const ENGINE_LABEL: Record<SocketIoEngine, string> = { ws: 'Socket.IO room broadcast (default ws engine)', uws: 'Socket.IO room broadcast on uWS' };

const BASIS_TEXT: Record<SocketIoComparison['basis'], string> = {
  wall: 'by the wall-clock ratio',
  lower: 'by the lower ratio: the Socket.IO run was capped by the generator',
  cpu: 'by the server CPU ratio: the generator capped the gateway run',
};

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const times = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(r >= 10 ? 1 : 2)}×` : 'n/a');
const us = (ns: number): string => (ns / 1_000 < 100 ? (ns / 1_000).toFixed(1) : int(ns / 1_000));

export function printSocketIoText(report: SocketIoReport): void {
  const o = report.options;
  const out: string[] = [];
  out.push(`Fan-out, tuan's gateway against Socket.IO: ${int(report.subscribers)} subscribers on one channel/room, ${o.window} broadcasts in flight,`);
  out.push(`${report.messageBytes.length} messages per broadcast (${report.messageBytes.join(' + ')} bytes on the wire), ${o.fanoutDurationS} s measured per server`);
  out.push(`  ${report.machine}`);
  const cpus = os.cpus().length;
  const contended = Math.max(report.load.atStart, report.load.atEnd) > cpus - 0.5 ? ': other processes competed for the CPUs' : '';
  out.push(`  load average ${report.load.atStart.toFixed(1)} at start, ${report.load.atEnd.toFixed(1)} at end, on ${cpus} CPUs${contended}`);
  for (const line of o.lowered) out.push(`  ${line}`);
  out.push('');
  out.push(`  ${'server'.padEnd(44)}${'delivered/s'.padStart(13)}${'per server CPU-s'.padStart(18)}${'p99 last µs'.padStart(13)}${'p99 last, alone'.padStart(17)}   CPU use`);
  const row = (label: string, r: FanoutRun): string =>
    `  ${label.padEnd(44)}${int(r.windowed.perSecond).padStart(13)}${int(perServerCpu(r.windowed.delivered, r.windowed)).padStart(18)}` +
    `${us(r.windowed.lastNs.p99).padStart(13)}${us(r.rounds.lastNs.p99).padStart(17)}   ${busy(r.windowed)}`;
  out.push(row("tuan gateway (ws clients)", report.gateway));
  for (const run of report.socketio) out.push(row(`${ENGINE_LABEL[run.engine]}`, run));
  out.push('  (p99 last: trigger sent → the last subscriber got it, with the window in flight; "alone": one broadcast at a time.');
  out.push('   Subscribers are `ws` clients for the gateway and socket.io-client clients for Socket.IO, all in this process;');
  out.push('   per server CPU-s: messages delivered per second of the server process\'s CPU time, which the generator cannot cap.)');
  out.push(...notes(report.gateway.windowed, 'tuan gateway'));
  for (const run of report.socketio) out.push(...notes(run.windowed, ENGINE_LABEL[run.engine]));
  out.push('');
  for (const c of report.comparisons) {
    out.push(
      `  tuan / ${ENGINE_LABEL[c.engine]}: ${times(c.ratio)} by delivered/s, ${times(c.cpuRatio)} by server CPU; ` +
        `goal ≥ ${c.goal}×: ${c.met ? 'met' : 'NOT met'} (${times(c.judged)}, judged ${BASIS_TEXT[c.basis]})`,
    );
  }
  const closes = Object.entries(report.unexpectedCloses);
  if (closes.length > 0) out.push('', `Gateway connections closed by the server during the run, by close code: ${closes.map(([code, n]) => `${code} × ${n}`).join(', ')}`);
  console.log(out.join('\n'));
}
