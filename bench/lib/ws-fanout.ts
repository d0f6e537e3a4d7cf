// Broadcast measurements: one driver client triggers a broadcast (a join or leave on the gateway, a publish
// request on the raw server), N subscriber clients receive it, and each delivery is timed against the moment the
// trigger was sent. The same code measures the gateway and the raw uWS publisher, so the two figures differ
// only by what the server does between reading the trigger and handing the messages to uWS.
//
// Times are taken in this process only (one clock, no cross-process skew): "publish" is the moment the driver
// sent its trigger, so every figure includes one loopback hop to the server that the raw baseline pays too.
// All subscribers live in this one thread, so the last receiver is also the one this process read last: at
// thousands of subscribers the spread between first and last receiver is mostly the generator reading sockets.
import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramSummary } from './histogram.ts';
import type { ServerChild } from './ws-child.ts';
import { measureAround, measureWindow, sleep, type Client, type Measured } from './ws-load.ts';
import { KIND, TYPE_BYTE } from './ws-scenario.ts';

export interface Broadcast {
  subscribers: readonly Client[];
  driver: Client;
  server: ServerChild;
  /** The driver's n-th trigger message. */
  trigger: (n: number) => string;
  /** Messages every subscriber receives per trigger. */
  perTrigger: number;
  /** Triggers sent so far over all runs (the gateway's driver alternates join and leave by its parity). */
  sent: number;
}

interface Hooks {
  /** A subscriber got the first message of run-local trigger `t`; `rank` is how many got it so far (1..N). */
  delivered(t: number, rank: number, at: number): void;
  acked(t: number, at: number): void;
  completed(t: number): void;
}

/**
 * Per-trigger bookkeeping in a ring: a trigger is complete once every subscriber has all its messages and the
 * driver has its ack. Messages on one socket arrive in order, so a subscriber's count says which trigger a
 * message belongs to, and triggers complete in the order they were sent.
 */
class Tracker {
  readonly sentAt: Float64Array;
  private readonly firstCount: Int32Array;
  private readonly allCount: Int32Array;
  private readonly acked: Uint8Array;
  private readonly counts: Int32Array;
  issued = 0;
  completed = 0;
  delivered = 0;
  failure: Error | null = null;
  private waiter: { count: number; finish: (error: Error | null) => void } | null = null;
  /** Byte sizes of the messages of the first trigger, as subscriber 0 got them. */
  readonly sizes: number[] = [];

  constructor(
    private readonly b: Broadcast,
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
      subscriber.onMessage = (data) => {
        // Presence updates and anything else that is not a delta carry no offset and are not counted.
        if (data[TYPE_BYTE] !== KIND.delta) return;
        const at = performance.now();
        this.delivered++;
        const c = this.counts[j]!++;
        const t = (c / k) | 0;
        const pos = c - t * k;
        const slot = t % ring;
        if (j === 0 && t === 0) this.sizes.push(data.length);
        if (pos === 0) this.hooks.delivered(t, ++this.firstCount[slot]!, at);
        if (pos === k - 1 && ++this.allCount[slot]! === total) this.tryComplete();
      };
    }
    let acks = 0;
    b.driver.onMessage = (data) => {
      const kind = data[TYPE_BYTE];
      if (kind === KIND.error) {
        this.failure = new Error(`the trigger was refused: ${data.toString('utf8')}`);
        this.tryComplete();
        return;
      }
      if (kind !== KIND.ack) return;
      const t = acks++;
      this.acked[t % ring] = 1;
      this.hooks.acked(t, performance.now());
      this.tryComplete();
    };
  }

  issue(): void {
    const slot = this.issued % this.ring;
    this.firstCount[slot] = 0;
    this.allCount[slot] = 0;
    this.acked[slot] = 0;
    this.sentAt[slot] = performance.now();
    this.issued++;
    this.b.driver.ws.send(this.b.trigger(this.b.sent++));
  }

  /**
   * Resolves once `count` triggers completed; rejects when a trigger is refused or nothing completes for
   * `stallMs`. Progress is checked on a slow timer, not polled, so waiting adds no work to the measured thread.
   */
  until(count: number, stallMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let seen = this.completed;
      const check = setInterval(() => {
        if (this.failure) return finish(this.failure);
        if (this.completed !== seen) {
          seen = this.completed;
          return;
        }
        const slot = this.completed % this.ring;
        finish(
          new Error(
            `broadcast stalled: trigger ${this.completed + 1} of ${this.issued} reached ${this.allCount[slot]} of ` +
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
    if (this.waiter && (this.completed >= this.waiter.count || this.failure)) this.waiter.finish(this.failure);
  }
}

export interface RoundsResult extends Measured {
  /** Rounds run after the warm-up. */
  rounds: number;
  /** Rounds whose figures were kept: the even triggers after the warm-up (the gateway's joins; the raw equivalent). */
  recorded: number;
  /** Trigger sent → driver's ack. */
  ackNs: HistogramSummary;
  /** Trigger sent → first subscriber to get the broadcast. */
  firstNs: HistogramSummary;
  /** Trigger sent → each subscriber getting the broadcast: one sample per subscriber and round. */
  eachNs: HistogramSummary;
  /** Trigger sent → the last subscriber to get the broadcast. */
  lastNs: HistogramSummary;
  /** Byte sizes of the first trigger's messages. */
  sizes: number[];
}

/**
 * One trigger at a time: the next is sent once the previous one reached every subscriber and was acked. The
 * first `warmupRounds` are not recorded (cold code paths, first-use allocations on both sides). Stops after
 * `rounds` more, or after `maxMs` of them, whichever comes first: on a busy machine rounds can be slow.
 */
export async function broadcastRounds(b: Broadcast, rounds: number, warmupRounds: number, maxMs: number): Promise<RoundsResult> {
  const ack = new Histogram();
  const first = new Histogram();
  const each = new Histogram();
  const last = new Histogram();
  const total = b.subscribers.length;
  const startN = b.sent;
  let firstTimed = Number.POSITIVE_INFINITY;
  const recordedRound = (t: number): boolean => t >= firstTimed && (startN + t) % 2 === 0;
  const tracker: Tracker = new Tracker(b, 2, {
    delivered(t, rank, at) {
      if (!recordedRound(t)) return;
      const ns = (at - tracker.sentAt[t % 2]!) * 1e6;
      each.record(ns);
      if (rank === 1) first.record(ns);
      if (rank === total) last.record(ns);
    },
    acked(t, at) {
      if (recordedRound(t)) ack.record((at - tracker.sentAt[t % 2]!) * 1e6);
    },
    completed: () => undefined,
  });
  let recorded = 0;
  let ran = 0;
  const measured = await measureAround(b.server, async () => {
    let t = 0;
    // The warm-up gets a quarter of the time budget at most; the timed rounds then get all of it.
    const warmUntil = performance.now() + maxMs / 4;
    while (t < warmupRounds && performance.now() < warmUntil) {
      tracker.issue();
      await tracker.until(++t);
    }
    firstTimed = t;
    const stopAt = performance.now() + maxMs;
    while (ran < rounds && performance.now() < stopAt) {
      tracker.issue();
      await tracker.until(t + 1);
      if (recordedRound(t)) recorded++;
      t++;
      ran++;
    }
  });
  return { ...measured, rounds: ran, recorded, ackNs: ack.summary(), firstNs: first.summary(), eachNs: each.summary(), lastNs: last.summary(), sizes: tracker.sizes };
}

export interface FanoutResult extends Measured {
  triggers: number;
  /** Messages received by subscribers in the window. */
  delivered: number;
  perSecond: number;
  /** Trigger sent → last subscriber, with `window` triggers in flight (queueing included). */
  lastNs: HistogramSummary;
}

/** `window` triggers in flight: each completed one sends the next. Measures delivered messages per second. */
export async function broadcastWindowed(b: Broadcast, window: number, warmupMs: number, durationMs: number): Promise<FanoutResult> {
  const last = new Histogram();
  const total = b.subscribers.length;
  const ring = window * 2 + 2;
  let running = true;
  let measuring = false;
  let triggers = 0;
  let deliveredAtStart = 0;
  const tracker: Tracker = new Tracker(b, ring, {
    delivered(t, rank, at) {
      if (measuring && rank === total) last.record((at - tracker.sentAt[t % ring]!) * 1e6);
    },
    acked: () => undefined,
    completed() {
      if (measuring) triggers++;
      if (running) tracker.issue();
    },
  });
  for (let i = 0; i < window; i++) tracker.issue();
  await sleep(warmupMs);
  let deliveredAtEnd = 0;
  const measured = await measureWindow(
    b.server,
    durationMs,
    () => {
      measuring = true;
      deliveredAtStart = tracker.delivered;
    },
    () => {
      measuring = false;
      deliveredAtEnd = tracker.delivered;
    },
  );
  running = false;
  await tracker.until(tracker.issued);
  const delivered = deliveredAtEnd - deliveredAtStart;
  return { ...measured, triggers, delivered, perSecond: delivered / measured.seconds, lastNs: last.summary() };
}
