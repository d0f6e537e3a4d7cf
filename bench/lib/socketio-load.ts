// The Socket.IO load generator: socket.io-client subscribers and one driver in this process, measured the way
// ws-fanout.ts measures the gateway, so the two figures mean the same thing. One trigger (a `publish` emit with
// an acknowledgement) makes the server broadcast `perTrigger` messages to the room; a trigger is complete once
// every subscriber got all of them and the driver got its ack. Messages on one socket arrive in order, so a
// subscriber's message count says which trigger a message belongs to.
//
// socket.io-client decodes every message (engine.io framing, then the Socket.IO packet, JSON included) before
// the bench sees it, where the gateway's `ws` subscribers only look at one byte. That costs this process more per
// message, so the generator saturates sooner against Socket.IO: the report says when, and the per-server-CPU
// figures, which do not depend on the generator, are printed next to the wall-clock ones.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { Histogram } from './histogram.ts';
import { busyBetween, type ServerUsage } from './ws-child.ts';
import type { FanoutResult, RoundsResult } from './ws-fanout.ts';
import { localUsage, sleep, type Measured } from './ws-load.ts';

export interface SioClient {
  readonly socket: Socket;
  readonly index: number;
  /** Swapped by each phase. */
  onDelta: () => void;
}

const ignore = (): void => undefined;
const openSockets = new Set<Socket>();

/** Disconnects every socket still open, without waiting: for error paths and exit handlers. */
export function disconnectAllSioClients(): void {
  for (const socket of openSockets) socket.disconnect();
  openSockets.clear();
}

/**
 * Opens `count` Socket.IO clients, at most `concurrency` handshakes at a time, each on its own connection
 * (`forceNew`: socket.io-client otherwise multiplexes every socket to one URL over a single connection), over
 * WebSocket only and with reconnection off, so a lost connection fails the run instead of hiding in it.
 */
export async function connectManySio(url: string, count: number, timeoutMs = 60_000, concurrency = 200): Promise<SioClient[]> {
  const clients: SioClient[] = [];
  let next = 0;
  const openOne = (index: number): Promise<SioClient> =>
    new Promise((resolve, reject) => {
      const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: timeoutMs });
      openSockets.add(socket);
      const client: SioClient = { socket, index, onDelta: ignore };
      socket.on('delta', () => client.onDelta());
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (error) => reject(new Error(`Socket.IO client ${index} to ${url}: ${error.message}`)));
      socket.on('disconnect', () => openSockets.delete(socket));
    });
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      clients[index] = await openOne(index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    await closeAllSio(clients.filter(Boolean));
    throw error;
  }
  return clients;
}

/** Disconnects the clients and waits (boundedly) until their connections are closed. */
export async function closeAllSio(clients: readonly SioClient[], timeoutMs = 15_000): Promise<void> {
  const closed = clients.map(({ socket }) => {
    openSockets.delete(socket);
    const manager = socket.io;
    if (manager.engine === undefined || manager.engine.readyState === 'closed') {
      socket.disconnect();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      manager.once('close', () => resolve());
      socket.disconnect();
    });
  });
  await Promise.race([Promise.all(closed), sleep(timeoutMs)]);
}

/** Joins every client to the room; resolves once all were acknowledged. */
export function subscribeAll(clients: readonly SioClient[], timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let waiting = clients.length;
    if (waiting === 0) return resolve();
    const timer = setTimeout(() => reject(new Error(`${waiting} of ${clients.length} Socket.IO clients were not subscribed within ${timeoutMs} ms`)), timeoutMs);
    for (const { socket } of clients) {
      socket.emit('subscribe', () => {
        if (--waiting === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

/** Both processes' CPU and event-loop use around `work` (ws-load's measureAround, for any server child). */
export async function measureAroundUsage(server: { usage(): Promise<ServerUsage> }, work: () => Promise<void>): Promise<Measured> {
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

export interface SioBroadcast {
  subscribers: readonly SioClient[];
  driver: SioClient;
  server: { usage(): Promise<ServerUsage> };
  /** Messages every subscriber receives per trigger. */
  perTrigger: number;
}

interface Hooks {
  delivered(t: number, rank: number, at: number): void;
  acked(t: number, at: number): void;
  completed(t: number): void;
}

/** Per-trigger bookkeeping in a ring, as ws-fanout.ts's Tracker keeps it for the gateway. */
class SioTracker {
  readonly sentAt: Float64Array;
  private readonly firstCount: Int32Array;
  private readonly allCount: Int32Array;
  private readonly acked: Uint8Array;
  private readonly counts: Int32Array;
  issued = 0;
  completed = 0;
  delivered = 0;
  private acks = 0;
  private waiter: { count: number; finish: (error: Error | null) => void } | null = null;

  constructor(
    private readonly b: SioBroadcast,
    private readonly ring: number,
    private readonly hooks: Hooks,
  ) {
    this.sentAt = new Float64Array(ring);
    this.firstCount = new Int32Array(ring);
    this.allCount = new Int32Array(ring);
    this.acked = new Uint8Array(ring);
    this.counts = new Int32Array(b.subscribers.length);
    const k = b.perTrigger;
    const total = b.subscribers.length;
    for (const subscriber of b.subscribers) {
      const j = subscriber.index;
      subscriber.onDelta = () => {
        const at = performance.now();
        this.delivered++;
        const c = this.counts[j]!++;
        const t = (c / k) | 0;
        const pos = c - t * k;
        const slot = t % ring;
        if (pos === 0) this.hooks.delivered(t, ++this.firstCount[slot]!, at);
        if (pos === k - 1 && ++this.allCount[slot]! === total) this.tryComplete();
      };
    }
  }

  issue(): void {
    const slot = this.issued % this.ring;
    this.firstCount[slot] = 0;
    this.allCount[slot] = 0;
    this.acked[slot] = 0;
    this.sentAt[slot] = performance.now();
    this.issued++;
    this.b.driver.socket.emit('publish', () => {
      // Acks come back in the order the triggers were sent: the server handles one socket's events in order.
      const t = this.acks++;
      this.acked[t % this.ring] = 1;
      this.hooks.acked(t, performance.now());
      this.tryComplete();
    });
  }

  /** Resolves once `count` triggers completed; rejects when nothing completes for `stallMs`. */
  until(count: number, stallMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let seen = this.completed;
      const check = setInterval(() => {
        if (this.completed !== seen) {
          seen = this.completed;
          return;
        }
        const slot = this.completed % this.ring;
        finish(
          new Error(
            `Socket.IO broadcast stalled: trigger ${this.completed + 1} of ${this.issued} reached ${this.allCount[slot]} of ` +
              `${this.b.subscribers.length} subscribers, ack ${this.acked[slot] === 1 ? 'received' : 'missing'}`,
          ),
        );
      }, stallMs);
      const finish = (error: Error | null): void => {
        clearInterval(check);
        this.waiter = null;
        if (error) reject(error);
        else resolve();
      };
      this.waiter = { count, finish };
      this.tryComplete();
    });
  }

  private tryComplete(): void {
    while (this.completed < this.issued) {
      const slot = this.completed % this.ring;
      if (this.acked[slot] !== 1 || this.allCount[slot] !== this.b.subscribers.length) break;
      this.completed++;
      this.hooks.completed(this.completed - 1);
    }
    if (this.waiter && this.completed >= this.waiter.count) this.waiter.finish(null);
  }
}

/**
 * One trigger at a time, as ws-fanout.ts's broadcastRounds: `warmupRounds` unrecorded, then up to `rounds` more
 * within `maxMs`. Every round is recorded (Socket.IO has no join/leave alternation to keep apart).
 */
export async function sioRounds(b: SioBroadcast, rounds: number, warmupRounds: number, maxMs: number): Promise<RoundsResult> {
  const ack = new Histogram();
  const first = new Histogram();
  const each = new Histogram();
  const last = new Histogram();
  const total = b.subscribers.length;
  let firstTimed = Number.POSITIVE_INFINITY;
  const tracker: SioTracker = new SioTracker(b, 2, {
    delivered(t, rank, at) {
      if (t < firstTimed) return;
      const ns = (at - tracker.sentAt[t % 2]!) * 1e6;
      each.record(ns);
      if (rank === 1) first.record(ns);
      if (rank === total) last.record(ns);
    },
    acked(t, at) {
      if (t >= firstTimed) ack.record((at - tracker.sentAt[t % 2]!) * 1e6);
    },
    completed: ignore,
  });
  let ran = 0;
  const measured = await measureAroundUsage(b.server, async () => {
    let t = 0;
    const warmUntil = performance.now() + maxMs / 4;
    while (t < warmupRounds && performance.now() < warmUntil) {
      tracker.issue();
      await tracker.until(++t);
    }
    firstTimed = t;
    const stopAt = performance.now() + maxMs;
    while (ran < rounds && performance.now() < stopAt) {
      tracker.issue();
      await tracker.until(++t);
      ran++;
    }
  });
  return { ...measured, rounds: ran, recorded: ran, ackNs: ack.summary(), firstNs: first.summary(), eachNs: each.summary(), lastNs: last.summary(), sizes: [] };
}

/** `window` triggers in flight, each completed one sends the next, as ws-fanout.ts's broadcastWindowed. */
export async function sioWindowed(b: SioBroadcast, window: number, warmupMs: number, durationMs: number): Promise<FanoutResult> {
  const last = new Histogram();
  const total = b.subscribers.length;
  const ring = window * 2 + 2;
  let running = true;
  let measuring = false;
  let triggers = 0;
  let deliveredAtStart = 0;
  let deliveredAtEnd = 0;
  const tracker: SioTracker = new SioTracker(b, ring, {
    delivered(t, rank, at) {
      if (measuring && rank === total) last.record((at - tracker.sentAt[t % ring]!) * 1e6);
    },
    acked: ignore,
    completed() {
      if (measuring) triggers++;
      if (running) tracker.issue();
    },
  });
  for (let i = 0; i < window; i++) tracker.issue();
  await sleep(warmupMs);
  const measured = await measureAroundUsage(b.server, async () => {
    measuring = true;
    deliveredAtStart = tracker.delivered;
    await sleep(durationMs);
    measuring = false;
    deliveredAtEnd = tracker.delivered;
  });
  running = false;
  await tracker.until(tracker.issued);
  const delivered = deliveredAtEnd - deliveredAtStart;
  return { ...measured, triggers, delivered, perSecond: delivered / measured.seconds, lastNs: last.summary() };
}
