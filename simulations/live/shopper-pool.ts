// One WebSocket per active shopper, as a real client app would hold: opened on the shopper's first command
// (connect, authenticate with its token, watch its own channel for charges, settlements, bids and orders), closed
// once the shopper is finished, has nothing in flight and holds no stake whose end it has not heard: a seat until
// it settles (a seat command whose answer timed out may still have seated it), an auction it may still win until
// the close (deltas.ts, `privateStake`). The number open at once is bounded: past it a command fails with
// `client_connection_limit` and the shopper gives up, which the report counts.
import type { SimShopper } from '../behaviours/index.ts';
import type { Observation } from '../observations.ts';
import { observePrivateEvent, privateStake, type IdMap } from './deltas.ts';
import type { LiveLatency } from './latency.ts';
import type { Pacer } from './pacer.ts';
import type { Target } from './target.ts';
import { WsClient, type Answer, type ServerMessage } from './ws-client.ts';

interface Connection {
  ready: Promise<WsClient | null>;
  client: WsClient | null;
  inFlight: number;
  /** Seats and auctions whose end this shopper must still hear (a few per shopper): the socket stays until then. */
  stakes: Set<string>;
  finished: boolean;
}

export interface PoolOptions {
  target: Target;
  slots: number;
  requestTimeoutMs: number;
  pacer: Pacer;
  latency: LiveLatency;
  ids: IdMap;
  liveShopperId(simShopperId: string): string;
  observe(observation: Observation): void;
  warn(message: string): void;
}

/** Commands whose public effect names the shopper (a seat taken, a place in a queue): their delivery is measured. */
const SEAT_COMMANDS = new Set(['open_group', 'join_group', 'match_group', 'join_queue']);

export class ShopperPool {
  connectionsOpened = 0;
  peakConnections = 0;
  commandsSent = 0;
  deltasReceived = 0;
  private readonly connections = new Map<string, Connection>();
  private readonly buffer: Observation[] = [];
  private idleWaiters: (() => void)[] = [];
  private quietWaiters: (() => void)[] = [];

  constructor(private readonly options: PoolOptions) {}

  get open(): number {
    return this.connections.size;
  }

  get inFlight(): number {
    let count = 0;
    for (const connection of this.connections.values()) count += connection.inFlight;
    return count;
  }

  send(shopper: SimShopper, message: Record<string, unknown>, then: (answer: Answer) => void): void {
    let connection = this.connections.get(shopper.id);
    if (!connection) {
      if (this.connections.size >= this.options.slots) return then(clientFailure('client_connection_limit'));
      connection = this.connect(shopper);
    }
    const conn = connection;
    conn.inFlight++;
    const done = (answer: Answer) => {
      conn.inFlight--;
      then(answer);
      this.closeIfDone(shopper.id, conn);
      if (this.quietWaiters.length > 0 && this.inFlight === 0) {
        const waiters = this.quietWaiters;
        this.quietWaiters = [];
        for (const waiter of waiters) waiter();
      }
    };
    void conn.ready.then((client) => {
      if (!client) return done(clientFailure('client_connect_failed'));
      this.options.pacer.run(
        () => {
          const sentAt = performance.now();
          if (SEAT_COMMANDS.has(String(message.type))) this.options.latency.noteSeatRequest(this.options.liveShopperId(shopper.id), sentAt);
          this.commandsSent++;
          void client.request(message).then((answer) => {
            if (answer.message) this.options.latency.recordAck(performance.now() - sentAt);
            done(answer);
          });
        },
        () => done(clientFailure('client_queue_full')),
      );
    });
  }

  /** The shopper will send nothing more: its socket closes once its answers are in. */
  finished(shopper: SimShopper): void {
    const connection = this.connections.get(shopper.id);
    if (!connection) return;
    connection.finished = true;
    this.closeIfDone(shopper.id, connection);
  }

  /** Resolves when no command is waiting for its answer, or after `timeoutMs`. */
  quiet(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.quietWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves when every shopper socket has closed, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The run is over: every shopper is finished; sockets close once their answers and stakes are in. */
  finishAll(): void {
    for (const [shopperId, connection] of [...this.connections]) {
      connection.finished = true;
      this.closeIfDone(shopperId, connection);
    }
  }

  closeAll(): void {
    for (const connection of this.connections.values()) {
      connection.finished = true;
      connection.client?.terminate();
    }
    this.connections.clear();
    this.notifyIdle();
  }

  private connect(shopper: SimShopper): Connection {
    const liveId = this.options.liveShopperId(shopper.id);
    const connection: Connection = { ready: Promise.resolve(null), client: null, inFlight: 0, stakes: new Set(), finished: false };
    this.connections.set(shopper.id, connection);
    this.peakConnections = Math.max(this.peakConnections, this.connections.size);
    connection.ready = (async () => {
      try {
        const client = await WsClient.connect(this.options.target.wsUrl, this.options.requestTimeoutMs);
        this.connectionsOpened++;
        connection.client = client;
        client.onPush((message) => this.onPush(shopper.id, connection, message));
        client.onClose(() => {
          if (this.connections.get(shopper.id) === connection) this.forget(shopper.id);
        });
        const token = await this.options.target.shopperToken(liveId, shopper);
        await client.must({ type: 'authenticate', token }, `authenticating ${liveId}`);
        await client.must({ type: 'subscribe', channel: `shopper:${liveId}` }, `watching shopper:${liveId}`);
        return client;
      } catch (error) {
        this.options.warn(`a shopper connection failed: ${(error as Error).message}`);
        connection.client?.terminate();
        if (this.connections.get(shopper.id) === connection) this.forget(shopper.id);
        return null;
      }
    })();
    return connection;
  }

  private onPush(shopperId: string, connection: Connection, message: ServerMessage): void {
    if (message.type !== 'delta') return;
    this.deltasReceived++;
    const event = message.event as Record<string, unknown>;
    this.buffer.length = 0;
    observePrivateEvent(event, shopperId, this.options.ids, this.buffer);
    const stake = privateStake(event);
    if (stake?.open) connection.stakes.add(stake.key);
    else if (stake) connection.stakes.delete(stake.key);
    for (const observation of [...this.buffer]) this.options.observe(observation);
    this.closeIfDone(shopperId, connection);
  }

  private closeIfDone(shopperId: string, connection: Connection): void {
    if (!connection.finished || connection.inFlight > 0 || connection.stakes.size > 0) return;
    connection.client?.close();
    if (this.connections.get(shopperId) === connection) this.forget(shopperId);
  }

  private forget(shopperId: string): void {
    this.connections.delete(shopperId);
    if (this.connections.size === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

function clientFailure(code: 'client_connection_limit' | 'client_connect_failed' | 'client_queue_full'): Answer {
  return { message: { type: 'error', code, message: code }, clientCode: null };
}
