// The WebSocket load generator: many `ws` clients in this process, opened with bounded concurrency, tracked so
// every one is closed at the end (or on error), plus the pipelined command→reply throughput run. The same code
// drives the gateway and the raw uWS baseline, so the two figures differ only by the server.
//
// Clients never parse JSON on the hot path: a server message's kind is the byte after `{"type":"` (see
// ws-scenario.ts). On two cores this process is often the bottleneck, so it measures its own CPU and event-loop
// use next to the server's and the report says when the figures are bounded by the generator.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Histogram, type HistogramSummary } from './histogram.ts';
import { busyBetween, type Busy, type ServerChild, type ServerUsage } from './ws-child.ts';
import { KIND, TYPE_BYTE } from './ws-scenario.ts';

export interface Client {
  readonly ws: WebSocket;
  readonly index: number;
  /** Swapped by each phase; the first message (the gateway's `welcome`) arrives before any phase sets it. */
  onMessage: (data: Buffer) => void;
}

const openClients = new Set<WebSocket>();
/** Closes that nobody asked for (slow-consumer, server gone): a phase that loses clients says so. */
export const unexpectedCloses = new Map<number, number>();
let closingOnPurpose = new WeakSet<WebSocket>();

/** Terminates every client still open, without waiting: for error paths and exit handlers. */
export function terminateAllClients(): void {
  for (const ws of openClients) ws.terminate();
  openClients.clear();
  closingOnPurpose = new WeakSet();
}

/** The soft limit on open files of this process (its children inherit it), or null if it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === 'unlimited') return Number.POSITIVE_INFINITY;
    if (soft !== undefined && /^\d+$/.test(soft)) return Number(soft);
  } catch {
    // Not Linux: ask the shell below.
  }
  const shell = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const text = shell.stdout?.trim() ?? '';
  if (text === 'unlimited') return Number.POSITIVE_INFINITY;
  return /^\d+$/.test(text) ? Number(text) : null;
}

const ignore = (): void => undefined;

/**
 * Opens `count` connections, at most `concurrency` at a time, with `openOne(index)`. If any fails, closes the
 * ones already open with `closeOpened` and rejects: a phase never runs, nor leaks, a partial set of clients.
 */
export async function openBounded<T>(
  count: number,
  concurrency: number,
  openOne: (index: number) => Promise<T>,
  closeOpened: (opened: T[]) => Promise<void>,
): Promise<T[]> {
  const opened: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      opened[index] = await openOne(index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    await closeOpened(opened.filter(Boolean));
    throw error;
  }
  return opened;
}

/**
 * Opens `count` clients to `url`, at most `concurrency` handshakes at a time (a burst of thousands would overflow
 * the listen backlog and time out). Rejects, closing what it opened, if any fails or all take over `timeoutMs`.
 */
export async function connectMany(url: string, count: number, timeoutMs = 60_000, concurrency = 200): Promise<Client[]> {
  const deadline = performance.now() + timeoutMs;
  const openOne = (index: number): Promise<Client> =>
    new Promise((resolve, reject) => {
      // No compression and no UTF-8 check: the generator's CPU goes to moving frames, as a fast client's would.
      const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: Math.max(1_000, deadline - performance.now()) });
      openClients.add(ws);
      const client: Client = { ws, index, onMessage: ignore };
      ws.on('message', (data) => client.onMessage(data as Buffer));
      ws.once('open', () => resolve(client));
      ws.once('error', (error) => reject(new Error(`client ${index} to ${url}: ${error.message}`)));
      ws.once('close', (code) => {
        openClients.delete(ws);
        if (!closingOnPurpose.has(ws)) unexpectedCloses.set(code, (unexpectedCloses.get(code) ?? 0) + 1);
      });
    });
  return openBounded(count, concurrency, openOne, closeAll);
}

/** Terminates the clients and waits until their sockets are closed, so the next phase starts with free descriptors. */
export async function closeAll(clients: readonly Client[], timeoutMs = 15_000): Promise<void> {
  const closed = clients.map(({ ws }) => {
    closingOnPurpose.add(ws);
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      // terminate, not close: a closing handshake per client would make tearing down 10k of them a phase of its own.
      ws.terminate();
    });
  });
  await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

/**
 * Sends each client its message and waits until every one got a reply of kind `kind` (other messages, e.g. the
 * gateway's welcome or presence, are skipped). An `error` reply, or a timeout, rejects with what the server said.
 */
export function expectReplies(clients: readonly Client[], message: (client: Client) => string, kind: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let waiting = clients.length;
    if (waiting === 0) return resolve();
    const timer = setTimeout(() => reject(new Error(`${waiting} of ${clients.length} clients got no reply within ${timeoutMs} ms`)), timeoutMs);
    for (const client of clients) {
      client.onMessage = (data) => {
        const got = data[TYPE_BYTE];
        if (got === KIND.error) {
          clearTimeout(timer);
          reject(new Error(`client ${client.index}: ${data.toString('utf8')}`));
        } else if (got === kind) {
          client.onMessage = ignore;
          if (--waiting === 0) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      client.ws.send(message(client));
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** This process's CPU and event-loop use, read like a server's so both sides are computed the same way. */
export function localUsage(): ServerUsage {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  return { atMs: performance.timeOrigin + performance.now(), cpuUs: cpu.user + cpu.system, eluActiveMs: elu.active, eluIdleMs: elu.idle, rss: 0, heapUsed: 0, external: 0 };
}

export interface Measured {
  seconds: number;
  client: Busy;
  server: Busy;
  /** Server CPU seconds used in the window: the figure the generator cannot inflate or deflate. */
  serverCpuSeconds: number;
}

/** Any server child that can report its process's usage (the gateway's, Socket.IO's). */
export interface UsageSource {
  usage(): Promise<ServerUsage>;
}

/** Readings of both processes' CPU and event-loop use around `work`, however long it takes. */
export async function measureAround(server: UsageSource, work: () => Promise<void>): Promise<Measured> {
  const serverBefore = await server.usage();
  const clientBefore = localUsage();
  await work();
  const clientAfter = localUsage();
  const serverAfter = await server.usage();
  return {
    seconds: (clientAfter.atMs - clientBefore.atMs) / 1_000,
    client: busyBetween(clientBefore, clientAfter),
    server: busyBetween(serverBefore, serverAfter),
    serverCpuSeconds: (serverAfter.cpuUs - serverBefore.cpuUs) / 1e6,
  };
}

/** A measured window of `durationMs`: `onStart` and `onEnd` mark it for the load, inside the readings. */
export function measureWindow(server: ServerChild, durationMs: number, onStart: () => void, onEnd: () => void): Promise<Measured> {
  return measureAround(server, async () => {
    onStart();
    await sleep(durationMs);
    onEnd();
  });
}

/** How a reply counts: answered, refused (its `code` is tallied), or not a reply at all (skipped). */
export type ReplyKind = 'ok' | 'error' | 'skip';

export interface PipelineOptions {
  clients: readonly Client[];
  server: ServerChild;
  /** Requests in flight per client: each reply sends the next. */
  depth: number;
  warmupMs: number;
  durationMs: number;
  message: (client: Client, n: number) => string;
  classify: (kind: number) => ReplyKind;
}

export interface PipelineResult extends Measured {
  replies: number;
  perSecond: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Send → reply per request in the window, assuming a connection's replies come in the order of its requests. */
  roundTripNs: HistogramSummary;
}

/** Closed-loop pipelined load: `depth` requests in flight on every client, for a warm-up then a measured window. */
export async function runPipelined(options: PipelineOptions): Promise<PipelineResult> {
  const { clients, depth, message, classify } = options;
  const roundTrip = new Histogram();
  const errorCodes: Record<string, number> = {};
  let running = true;
  let measuring = false;
  let replies = 0;
  let errors = 0;
  let inFlight = 0;
  let n = 0;
  let drained: (() => void) | null = null;

  for (const client of clients) {
    // In flight never exceeds `depth`, so a fixed ring of send times per client is enough.
    const sentAt = new Float64Array(depth);
    let head = 0;
    let tail = 0;
    const send = (): void => {
      sentAt[tail] = performance.now();
      tail = (tail + 1) % depth;
      inFlight++;
      client.ws.send(message(client, n++));
    };
    // Replies read in one go are answered in one write: `ws` writes each message with a syscall of its own, which
    // made the generator, not the servers, the limit (about 3× fewer echo replies a second without this). Corking
    // the underlying socket, which `ws` does not expose, turns the requests owed after one read into one write.
    const socket = (client.ws as unknown as { _socket: Socket })._socket;
    let owed = 0;
    const flush = (): void => {
      socket.cork();
      for (; owed > 0; owed--) send();
      socket.uncork();
    };
    client.onMessage = (data) => {
      const verdict = classify(data[TYPE_BYTE]!);
      if (verdict === 'skip') return;
      const at = performance.now();
      const began = sentAt[head]!;
      head = (head + 1) % depth;
      inFlight--;
      if (measuring) {
        replies++;
        roundTrip.record((at - began) * 1e6);
        if (verdict === 'error') {
          errors++;
          const code = (JSON.parse(data.toString('utf8')) as { code?: string }).code ?? 'unknown';
          errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        }
      }
      // `ws` emits every message of one read synchronously, so a microtask runs once they all have been handled.
      if (running) {
        if (owed++ === 0) queueMicrotask(flush);
      } else if (inFlight === 0) drained?.();
    };
    for (let i = 0; i < depth; i++) send();
  }

  await sleep(options.warmupMs);
  const measured = await measureWindow(
    options.server,
    options.durationMs,
    () => (measuring = true),
    () => (measuring = false),
  );
  running = false;
  if (inFlight > 0) {
    await Promise.race([new Promise<void>((resolve) => (drained = resolve)), sleep(10_000)]);
  }
  for (const client of clients) client.onMessage = ignore;
  return { ...measured, replies, perSecond: replies / measured.seconds, errors, errorCodes, roundTripNs: roundTrip.summary() };
}
