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
import { io, type Socket } from 'socket.io-client';
import { timeRounds, timeWindowed, type BroadcastWiring, type FanoutResult, type RoundsResult } from './broadcast-tracker.ts';
import { openBounded, sleep, type UsageSource } from './ws-load.ts';

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
  return openBounded(count, concurrency, openOne, closeAllSio);
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

export interface SioBroadcast {
  subscribers: readonly SioClient[];
  driver: SioClient;
  server: UsageSource;
  /** Messages every subscriber receives per trigger. */
  perTrigger: number;
}

/**
 * Wires socket.io-client sockets to the shared tracker: a trigger is a `publish` emit whose acknowledgement
 * callback is the ack. Acks come back in the order the triggers were sent: the server handles one socket's
 * events in order.
 */
function sioWiring(b: SioBroadcast): BroadcastWiring {
  let tracker: { acked(): void } | null = null;
  const onAck = (): void => tracker?.acked();
  return {
    subscriberCount: b.subscribers.length,
    perTrigger: b.perTrigger,
    server: b.server,
    label: 'Socket.IO broadcast',
    attach(t) {
      tracker = t;
      for (const subscriber of b.subscribers) {
        const j = subscriber.index;
        subscriber.onDelta = () => void t.received(j);
      }
    },
    send() {
      b.driver.socket.emit('publish', onAck);
    },
  };
}

/**
 * One trigger at a time, as ws-fanout.ts's broadcastRounds. Every round is recorded (Socket.IO has no join/leave
 * alternation to keep apart); socket.io-client hands over decoded messages, so no sizes are reported.
 */
export async function sioRounds(b: SioBroadcast, rounds: number, warmupRounds: number, maxMs: number): Promise<RoundsResult> {
  const result = await timeRounds(sioWiring(b), rounds, warmupRounds, maxMs, () => true);
  return { ...result, sizes: [] };
}

/** `window` triggers in flight, each completed one sends the next, as ws-fanout.ts's broadcastWindowed. */
export function sioWindowed(b: SioBroadcast, window: number, warmupMs: number, durationMs: number): Promise<FanoutResult> {
  return timeWindowed(sioWiring(b), window, warmupMs, durationMs);
}
