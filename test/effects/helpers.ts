// Shared pieces of the effects tests: a private redis-server, a market that numbers its commands like the
// sequencer does and hands their events to the outbox (group-buys, auctions, reservations), a loopback webhook
// receiver, and waiting with a deadline.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Engine, type Applied, type EngineEvent } from '../../engine/index.ts';
import type { DeriveContext } from '../../effects/index.ts';

/** A BullMQ prefix no other test run uses, hash-tagged like the real one. */
export function uniquePrefix(): string {
  return `{tuan-effects-test-${randomBytes(4).toString('hex')}}`;
}

export interface Recorded {
  seq: number;
  events: EngineEvent[];
}

/**
 * Drives a real engine. Every accepted state-changing command gets the next seq (like the sequencer, which
 * journals before applying, so each seq here stands for a durable command) and is kept for replays.
 */
export class Market {
  readonly engine = new Engine();
  readonly history: Recorded[] = [];
  nowMs = 1_000;
  private seq = 0;

  constructor(private readonly onRecorded: (seq: number, events: EngineEvent[]) => void = () => undefined) {}

  context(namespace: string, webhooksFor: ReadonlySet<string> = new Set()): DeriveContext {
    return {
      namespace,
      wantsWebhooks: (merchantId) => webhooksFor.has(merchantId),
    };
  }

  send(command: Record<string, unknown>): Applied {
    const applied = this.engine.submit({ nowMs: this.nowMs, ...command });
    if (!applied.result.ok) throw new Error(`${String(command.type)} refused: ${applied.result.code} ${applied.result.message}`);
    const seq = ++this.seq;
    this.history.push({ seq, events: applied.events });
    this.onRecorded(seq, applied.events);
    return applied;
  }

  createOffer(offerId: string, merchantId: string, mechanism: Record<string, unknown> = {}): void {
    this.send({
      type: 'create_offer',
      merchantId,
      offerId,
      title: 'Oolong tea, 500 g',
      currency: 'CNY',
      inventory: 1_000,
      basePriceMinor: 10_000,
      mechanism: { type: 'group', minSize: 3, windowMs: 60_000, tiers: [{ minSize: 3, priceMinor: 9_000 }, { minSize: 4, priceMinor: 8_000 }], ...mechanism },
    });
  }

  open(offerId: string, shopperId: string, groupId: string): void {
    this.send({ type: 'open_group', offerId, shopperId, groupId });
  }

  join(groupId: string, shopperId: string): void {
    this.send({ type: 'join_group', groupId, shopperId });
  }

  /** An auction offer (docs/auctions.md) of `inventory` units, opening at 1 000, ending at `nowMs + 60 s` (not Dutch). */
  createAuction(offerId: string, merchantId: string, kind: 'english' | 'vickrey' | 'uniform' | 'dutch', inventory = 1, mechanism: Record<string, unknown> = {}): void {
    this.send({
      type: 'create_offer',
      merchantId,
      offerId,
      title: 'Song dynasty vase',
      currency: 'CNY',
      inventory,
      basePriceMinor: 1_000,
      ...(kind === 'dutch' ? {} : { endMs: this.nowMs + 60_000 }),
      mechanism: { type: 'auction', kind, ...mechanism },
    });
  }

  bid(offerId: string, shopperId: string, maxBidMinor: number, qty = 1): void {
    this.send({ type: 'place_bid', offerId, shopperId, maxBidMinor, qty });
  }

  /** A reservation offer of one unit priced 500, holds of 30 s, with the deposit given. */
  createReservation(offerId: string, merchantId: string, mode: 'queue' | 'slots', depositMinor: number, mechanism: Record<string, unknown> = {}): void {
    this.send({
      type: 'create_offer',
      merchantId,
      offerId,
      title: 'Shared e-bike',
      currency: 'CNY',
      inventory: 1,
      basePriceMinor: 500,
      mechanism: { type: 'reservation', mode, holdMs: 30_000, depositMinor, ...mechanism },
    });
  }

  /** Joins a queue with a free unit and confirms the hold offered: returns the rental id. */
  rent(offerId: string, shopperId: string, extra: Record<string, unknown> = {}): string {
    const joined = this.send({ type: 'join_queue', offerId, shopperId, ...extra }).result as { reservation?: { holdId?: string } };
    const holdId = joined.reservation?.holdId;
    if (holdId === undefined) throw new Error(`${shopperId} was not offered a unit at once`);
    this.send({ type: 'confirm_hold', offerId, shopperId, holdId });
    return holdId;
  }

  /** Books a free slot and confirms it: returns the booking id. */
  bookConfirmed(offerId: string, shopperId: string, startMs: number, endMs: number): string {
    const booked = this.send({ type: 'book_slot', offerId, shopperId, startMs, endMs }).result as { reservation?: { bookingId?: string } };
    const bookingId = booked.reservation?.bookingId;
    if (bookingId === undefined) throw new Error(`${shopperId} could not book [${startMs}, ${endMs})`);
    this.send({ type: 'confirm_hold', offerId, shopperId, holdId: bookingId });
    return bookingId;
  }

  /** Moves the clock past every deadline and ticks: groups complete or fail. */
  settleAll(): EngineEvent[] {
    this.nowMs += 10 * 60_000;
    return this.send({ type: 'tick' }).events;
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A loopback HTTP receiver: answers each POST with `respond()` and remembers what came (bounded). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: (request: ReceivedWebhook) => number = () => 200;
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const entry: ReceivedWebhook = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
        entry.status = receiver.respond(entry);
        if (receiver.received.length < 10_000) receiver.received.push(entry);
        response.writeHead(entry.status, { 'content-type': 'text/plain' }).end('ok');
        for (const waiter of receiver.waiters.filter((w) => receiver.received.length >= w.count)) {
          receiver.waiters.splice(receiver.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** Resolves once `count` requests have been received in all. */
  waitForRequests(count: number, timeoutMs: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.waiters.push({ count, resolve })), timeoutMs, `${count} webhook requests (got ${this.received.length})`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Rejects with a message naming what was awaited if `promise` takes longer than `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settings that make retries and stall detection fast enough for a test. */
export const FAST_POLICY = {
  attempts: 4,
  backoffDelayMs: 20,
  backoffJitter: 0,
  keepCompleted: { count: 0 },
  keepFailed: { count: 1_000 },
};

/** Resolves once `worker` has completed `count` more jobs (counted from this call). */
export function waitForCompletions(worker: { on(event: 'completed', listener: () => void): unknown; off(event: 'completed', listener: () => void): unknown }, count: number, timeoutMs: number, what = `${count} completed jobs`): Promise<void> {
  let seen = 0;
  let listener: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    listener = () => {
      if (++seen >= count) resolve();
    };
    worker.on('completed', listener);
  });
  return withTimeout(done, timeoutMs, what)
    .catch((error: Error) => {
      throw new Error(`${error.message} (saw ${seen})`);
    })
    .finally(() => worker.off('completed', listener));
}
