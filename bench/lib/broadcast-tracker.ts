// The broadcast measurement shared by the gateway's fan-out (ws-fanout.ts) and Socket.IO's (socketio-load.ts):
// one driver triggers a broadcast, N subscribers receive it, and each delivery is timed against the moment the
// trigger was sent. Only the wiring to the sockets differs (raw `ws` frames there, socket.io-client events here);
// the bookkeeping, the loops and the figures are this one copy, so the two sides are measured the same way.
import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramSummary } from './histogram.ts';
import { measureAround, sleep, type Measured, type UsageSource } from './ws-load.ts';

/** What the shared loops need from one side: how to send a trigger and how to hear deliveries and acks. */
export interface BroadcastWiring {
  subscriberCount: number;
  /** Messages every subscriber receives per trigger. */
  perTrigger: number;
  server: UsageSource;
  /** Names the broadcast in a stall error ("broadcast", "Socket.IO broadcast"). */
  label: string;
  /** Points the sockets at `tracker`: subscriber j calls `tracker.received(j)`, the driver `acked()` or `fail()`. */
  attach(tracker: BroadcastTracker): void;
  /** Sends the next trigger. */
  send(): void;
}

interface Hooks {
  /** A subscriber got the first message of run-local trigger `t`; `rank` is how many got it so far (1..N). */
  delivered(t: number, rank: number, at: number): void;
  acked(t: number, at: number): void;
  completed(t: number): void;
}

const ignore = (): void => undefined;

/**
 * Per-trigger bookkeeping in a ring: a trigger is complete once every subscriber has all its messages and the
 * driver has its ack. Messages on one socket arrive in order, so a subscriber's count says which trigger a
 * message belongs to, and triggers complete in the order they were sent (acks come back in that order too).
 */
export class BroadcastTracker {
  readonly sentAt: Float64Array;
  private readonly firstCount: Int32Array;
  private readonly allCount: Int32Array;
  private readonly ackedSlots: Uint8Array;
  private readonly counts: Int32Array;
  issued = 0;
  completed = 0;
  delivered = 0;
  private acks = 0;
  private failure: Error | null = null;
  private waiter: { count: number; finish: (error: Error | null) => void } | null = null;

  constructor(
    private readonly w: BroadcastWiring,
    private readonly ring: number,
    private readonly hooks: Hooks,
  ) {
    this.sentAt = new Float64Array(ring);
    this.firstCount = new Int32Array(ring);
    this.allCount = new Int32Array(ring);
    this.ackedSlots = new Uint8Array(ring);
    this.counts = new Int32Array(w.subscriberCount);
    w.attach(this);
  }

  /** Subscriber `j` got a counted message; returns the run-local trigger it belongs to. */
  received(j: number): number {
    const at = performance.now();
    this.delivered++;
    const k = this.w.perTrigger;
    const c = this.counts[j]!++;
    const t = (c / k) | 0;
    const pos = c - t * k;
    const slot = t % this.ring;
    if (pos === 0) this.hooks.delivered(t, ++this.firstCount[slot]!, at);
    if (pos === k - 1 && ++this.allCount[slot]! === this.w.subscriberCount) this.tryComplete();
    return t;
  }

  /** The driver got the ack of its oldest unacknowledged trigger. */
  acked(): void {
    const t = this.acks++;
    this.ackedSlots[t % this.ring] = 1;
    this.hooks.acked(t, performance.now());
    this.tryComplete();
  }

  /** The server refused a trigger: the wait in progress rejects with `error`. */
  fail(error: Error): void {
    this.failure = error;
    this.tryComplete();
  }

  issue(): void {
    const slot = this.issued % this.ring;
    this.firstCount[slot] = 0;
    this.allCount[slot] = 0;
    this.ackedSlots[slot] = 0;
    this.sentAt[slot] = performance.now();
    this.issued++;
    this.w.send();
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
            `${this.w.label} stalled: trigger ${this.completed + 1} of ${this.issued} reached ${this.allCount[slot]} of ` +
              `${this.w.subscriberCount} subscribers, ack ${this.ackedSlots[slot] === 1 ? 'received' : 'missing'}`,
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
      if (this.ackedSlots[slot] !== 1 || this.allCount[slot] !== this.w.subscriberCount) break;
      this.completed++;
      this.hooks.completed(this.completed - 1);
    }
    if (this.waiter && (this.completed >= this.waiter.count || this.failure)) this.waiter.finish(this.failure);
  }
}

export interface RoundsResult extends Measured {
  /** Rounds run after the warm-up. */
  rounds: number;
  /** Rounds whose figures were kept (the gateway keeps its joins only; see ws-fanout.ts). */
  recorded: number;
  /** Trigger sent → driver's ack. */
  ackNs: HistogramSummary;
  /** Trigger sent → first subscriber to get the broadcast. */
  firstNs: HistogramSummary;
  /** Trigger sent → each subscriber getting the broadcast: one sample per subscriber and round. */
  eachNs: HistogramSummary;
  /** Trigger sent → the last subscriber to get the broadcast. */
  lastNs: HistogramSummary;
  /** Byte sizes of the first trigger's messages (empty where the side cannot see them). */
  sizes: number[];
}

/**
 * One trigger at a time: the next is sent once the previous one reached every subscriber and was acked. The
 * first `warmupRounds` are not recorded (cold code paths, first-use allocations on both sides). Stops after
 * `rounds` more, or after `maxMs` of them, whichever comes first: on a busy machine rounds can be slow. Of the
 * timed rounds, those `keep(t)` accepts (run-local trigger number) are recorded.
 */
export async function timeRounds(
  w: BroadcastWiring,
  rounds: number,
  warmupRounds: number,
  maxMs: number,
  keep: (t: number) => boolean,
): Promise<Omit<RoundsResult, 'sizes'>> {
  const ack = new Histogram();
  const first = new Histogram();
  const each = new Histogram();
  const last = new Histogram();
  const total = w.subscriberCount;
  let firstTimed = Number.POSITIVE_INFINITY;
  const recordedRound = (t: number): boolean => t >= firstTimed && keep(t);
  const tracker: BroadcastTracker = new BroadcastTracker(w, 2, {
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
    completed: ignore,
  });
  let recorded = 0;
  let ran = 0;
  const measured = await measureAround(w.server, async () => {
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
  return { ...measured, rounds: ran, recorded, ackNs: ack.summary(), firstNs: first.summary(), eachNs: each.summary(), lastNs: last.summary() };
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
export async function timeWindowed(w: BroadcastWiring, window: number, warmupMs: number, durationMs: number): Promise<FanoutResult> {
  const last = new Histogram();
  const total = w.subscriberCount;
  const ring = window * 2 + 2;
  let running = true;
  let measuring = false;
  let triggers = 0;
  let deliveredAtStart = 0;
  let deliveredAtEnd = 0;
  const tracker: BroadcastTracker = new BroadcastTracker(w, ring, {
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
  const measured = await measureAround(w.server, async () => {
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
