// Client-side latency of a live run, in real milliseconds. Ack latency: a command sent → its answer. Delivery
// latency: a command that seats a shopper or puts it in a queue sent → the first delta naming that shopper it caused
// (`group_joined`; `queue_changed` joined or, served at once, `hold_offered`) arriving at each watcher of the offer
// channel (what another shopper's screen waits for). Bids name no shopper in public, so they have no delivery figure. Event age: an event's server time → its arrival at a
// watcher, corrected by the clock offset the server reports (zero for a server in this process).
import type { LatencyMetrics } from '../report/report.ts';
import { ValueDistribution, type DistributionSummary } from '../metrics/value-distribution.ts';

/** Seat requests remembered for delivery matching; the oldest is forgotten first. */
const SENT_REMEMBERED_MAX = 100_000;

export class LiveLatency {
  /** Recorded in microseconds: sub-millisecond latencies keep their resolution. */
  private readonly ack = new ValueDistribution();
  private readonly delivery = new ValueDistribution();
  private readonly eventAge = new ValueDistribution();
  /** Live shopper id → its latest seat or queue request: when it left, and the watchers that have seen its delta. */
  private readonly seatRequests = new Map<string, { sentAtMs: number; seenBy: number[] }>();

  recordAck(elapsedMs: number): void {
    this.ack.record(Math.round(elapsedMs * 1_000));
  }

  /** A command that may seat `liveShopperId` (open, join, match) left at `sentAtMs` (performance.now()). */
  noteSeatRequest(liveShopperId: string, sentAtMs: number): void {
    this.seatRequests.delete(liveShopperId);
    this.seatRequests.set(liveShopperId, { sentAtMs, seenBy: [] });
    if (this.seatRequests.size > SENT_REMEMBERED_MAX) this.seatRequests.delete(this.seatRequests.keys().next().value!);
  }

  /** A delta reached watcher number `watcher` at `receivedAtMs` (performance.now()) and `receivedWallMs` (Date.now()). */
  onWatcherDelta(event: Record<string, unknown>, receivedAtMs: number, receivedWallMs: number, clockOffsetMs: number, watcher: number): void {
    if (typeof event.atMs === 'number') this.eventAge.record(Math.max(0, Math.round((receivedWallMs + clockOffsetMs - event.atMs) * 1_000)));
    const names = event.type === 'group_joined' || event.type === 'hold_offered' || (event.type === 'queue_changed' && event.change === 'joined');
    if (!names || typeof event.shopperId !== 'string') return;
    const request = this.seatRequests.get(event.shopperId);
    // Each watcher measures a request once: a renter's later hold (after waiting) is not its join's delivery.
    if (request === undefined || request.seenBy.includes(watcher)) return;
    request.seenBy.push(watcher);
    this.delivery.record(Math.round((receivedAtMs - request.sentAtMs) * 1_000));
  }

  result(): LatencyMetrics {
    return { ackMs: toMs(this.ack.summary()), deliveryMs: toMs(this.delivery.summary()), eventAgeMs: toMs(this.eventAge.summary()) };
  }
}

function toMs(s: DistributionSummary): DistributionSummary {
  const ms = (us: number) => Math.round(us) / 1_000;
  return {
    count: s.count,
    mean: ms(s.mean),
    min: ms(s.min),
    p50: ms(s.p50),
    p90: ms(s.p90),
    p99: ms(s.p99),
    p999: ms(s.p999),
    max: ms(s.max),
    bins: s.bins.map(([lo, hi, count]) => [ms(lo), ms(hi), count]),
  };
}
