// Client-side latency of a live run, in real milliseconds. Ack latency: a command sent → its answer. Delivery
// latency: a command that seats a shopper sent → the `group_joined` delta it caused arriving at each watcher of the
// offer channel (what another shopper's screen waits for). Event age: an event's server time → its arrival at a
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
  private readonly seatRequestSentAt = new Map<string, number>();

  recordAck(elapsedMs: number): void {
    this.ack.record(Math.round(elapsedMs * 1_000));
  }

  /** A command that may seat `liveShopperId` (open, join, match) left at `sentAtMs` (performance.now()). */
  noteSeatRequest(liveShopperId: string, sentAtMs: number): void {
    this.seatRequestSentAt.delete(liveShopperId);
    this.seatRequestSentAt.set(liveShopperId, sentAtMs);
    if (this.seatRequestSentAt.size > SENT_REMEMBERED_MAX) this.seatRequestSentAt.delete(this.seatRequestSentAt.keys().next().value!);
  }

  /** A delta reached a watcher at `receivedAtMs` (performance.now()) and `receivedWallMs` (Date.now()). */
  onWatcherDelta(event: Record<string, unknown>, receivedAtMs: number, receivedWallMs: number, clockOffsetMs: number): void {
    if (typeof event.atMs === 'number') this.eventAge.record(Math.max(0, Math.round((receivedWallMs + clockOffsetMs - event.atMs) * 1_000)));
    if (event.type !== 'group_joined' || typeof event.shopperId !== 'string') return;
    const sentAt = this.seatRequestSentAt.get(event.shopperId);
    if (sentAt !== undefined) this.delivery.record(Math.round((receivedAtMs - sentAt) * 1_000));
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
