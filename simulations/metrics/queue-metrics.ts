// Reservation-queue metrics: how long renters wait (join → a unit held for them), how many give up, what becomes
// of the holds (confirmed, declined, expired), how busy the units are (utilization), and the money: rentals charged
// and deposits held. Waits and utilization come from the offer's public events (who joined, who was offered a
// hold, when units came back), money from each renter's private events, so both modes measure alike.
import type { OfferSpec } from '../scenario-schema.ts';
import type { Observation } from '../observations.ts';
import { TimeSeries, type SeriesPoint } from './time-series.ts';
import { ratio, ValueDistribution, type DistributionSummary } from './value-distribution.ts';

/** Renters whose class is remembered until they are served or leave; past it, their wait counts under `unknown`. */
const CLASSES_REMEMBERED_MAX = 1_000_000;

export interface QueueOfferMetrics {
  offerId: string;
  units: number;
  joinedCount: number;
  servedAtOnceCount: number;
  abandonedCount: number;
  holdsOfferedCount: number;
  holdsExpiredCount: number;
  rentalCount: number;
  peakWaitingCount: number;
  utilizationRatio: number;
  rentedUtilizationRatio: number;
  waitMs: DistributionSummary;
}

export interface QueueMetrics {
  queues: {
    /** Renters who got a place: served at once or waiting in line. */
    joinedCount: number;
    servedAtOnceCount: number;
    /** Left the line before being served (their patience ran out). */
    abandonedCount: number;
    /** Still waiting when the line closed (the offer closed). */
    droppedAtCloseCount: number;
    abandonmentRatio: number;
    holdsOfferedCount: number;
    holdsConfirmedCount: number;
    holdsDeclinedCount: number;
    holdsExpiredCount: number;
    holdsReleasedAtCloseCount: number;
    holdExpiryRatio: number;
    holdDeclineRatio: number;
    /** Join → a unit held for the renter (0 when served at once). */
    waitMs: DistributionSummary;
    /** The same by priority class (0 the highest). */
    waitByPriorityClassMs: Record<string, DistributionSummary>;
    rentalCount: number;
    returnedCount: number;
    rentalDurationMs: DistributionSummary;
    /** Held or rented unit-time / (units × time the offer was open to the end of the run). */
    utilizationRatio: number;
    /** Rented unit-time only / the same capacity-time. */
    rentedUtilizationRatio: number;
    peakWaitingCount: number;
    /** Rentals charged (flat per rental, at confirmation). */
    revenueMinor: number;
    deposits: {
      /** Rentals that put up a deposit, and those the offer asked one of whose credit score waived it. */
      heldCount: number;
      waivedCount: number;
      heldMinor: number;
      releasedMinor: number;
      /** Deposits of rentals still running when the run ended. */
      heldAtEndMinor: number;
      peakHeldMinor: number;
    };
    offers: QueueOfferMetrics[];
  };
}

interface OfferTally {
  spec: OfferSpec;
  openMs: number;
  joined: number;
  servedAtOnce: number;
  abandoned: number;
  offered: number;
  expired: number;
  rentals: number;
  peakWaiting: number;
  busy: number;
  rented: number;
  lastAtMs: number;
  busyUnitMs: number;
  rentedUnitMs: number;
  wait: ValueDistribution;
  queueSeries: TimeSeries;
  busySeries: TimeSeries;
}

export class QueueMetricsCollector {
  private readonly tallies = new Map<string, OfferTally>();
  /** `offerId|shopperId` → when the renter joined the line, until a hold is offered or it leaves. */
  private readonly waitingSince = new Map<string, number>();
  private readonly classOf = new Map<string, number>();
  private readonly wait = new ValueDistribution();
  private readonly waitByClass = new Map<string, ValueDistribution>();
  private readonly rentalDuration = new ValueDistribution();
  private readonly depositSeries: TimeSeries;
  private droppedAtClose = 0;
  private confirmed = 0;
  private declined = 0;
  private releasedAtClose = 0;
  private returned = 0;
  private revenue = 0;
  private depositsHeldCount = 0;
  private depositsWaived = 0;
  private depositsHeld = 0;
  private depositsReleased = 0;
  private depositsPeak = 0;

  constructor(offers: readonly OfferSpec[], startMs: number, series: () => TimeSeries) {
    for (const spec of offers) {
      if (spec.mechanism.type !== 'reservation') continue;
      const openMs = startMs + (spec.startAfter ?? 0);
      this.tallies.set(spec.id, {
        spec, openMs, joined: 0, servedAtOnce: 0, abandoned: 0, offered: 0, expired: 0, rentals: 0, peakWaiting: 0,
        busy: 0, rented: 0, lastAtMs: openMs, busyUnitMs: 0, rentedUnitMs: 0,
        wait: new ValueDistribution(), queueSeries: series(), busySeries: series(),
      });
      // The charts start from an empty line and idle units at the offer's opening, not at the first event.
      this.tallies.get(spec.id)!.queueSeries.set(openMs, 0);
      this.tallies.get(spec.id)!.busySeries.set(openMs, 0);
    }
    this.depositSeries = series();
    this.depositSeries.set(startMs, 0);
  }

  /** Holds waiting for an answer: each will be confirmed, declined or expire, so the run is not over yet. */
  get liveHolds(): number {
    let holds = 0;
    for (const tally of this.tallies.values()) holds += tally.busy - tally.rented;
    return holds;
  }

  observe(o: Observation): void {
    if (o.type === 'renter_arrived') {
      if (this.classOf.size < CLASSES_REMEMBERED_MAX) this.classOf.set(o.shopperId, o.priorityClass);
      return;
    }
    if (o.type === 'walked_away' || (o.type === 'command' && o.command === 'join_queue' && !o.ok)) {
      this.classOf.delete(o.shopperId);
      return;
    }
    if (!('offerId' in o)) return;
    const tally = this.tallies.get(o.offerId);
    if (!tally) return;
    switch (o.type) {
      case 'queue_changed':
        tally.peakWaiting = Math.max(tally.peakWaiting, o.waiting);
        tally.queueSeries.set(o.atMs, o.waiting);
        if (o.change === 'joined' && o.shopperId !== null) {
          tally.joined++;
          this.waitingSince.set(`${o.offerId}|${o.shopperId}`, o.atMs);
        } else if (o.change === 'left' && o.shopperId !== null) {
          tally.abandoned++;
          this.waitingSince.delete(`${o.offerId}|${o.shopperId}`);
          this.classOf.delete(o.shopperId);
        } else if (o.change === 'closed') {
          this.dropWaiting(o.offerId);
        }
        return;
      case 'hold_offered': {
        this.advance(tally, o.atMs);
        tally.offered++;
        tally.busy++;
        tally.busySeries.set(o.atMs, tally.busy);
        const key = `${o.offerId}|${o.shopperId}`;
        const since = this.waitingSince.get(key);
        if (since === undefined) {
          tally.joined++;
          tally.servedAtOnce++;
        }
        this.waitingSince.delete(key);
        const waited = since === undefined ? 0 : Math.max(0, o.atMs - since);
        tally.wait.record(waited);
        this.wait.record(waited);
        const cls = this.classOf.get(o.shopperId);
        this.classOf.delete(o.shopperId);
        const label = cls === undefined ? 'unknown' : String(cls);
        let byClass = this.waitByClass.get(label);
        if (!byClass) this.waitByClass.set(label, (byClass = new ValueDistribution()));
        byClass.record(waited);
        return;
      }
      case 'hold_ended':
        this.advance(tally, o.atMs);
        tally.busy--;
        tally.busySeries.set(o.atMs, tally.busy);
        if (o.reason === 'expired') tally.expired++;
        else if (o.reason === 'declined') this.declined++;
        else if (o.reason === 'offer_closed') this.releasedAtClose++;
        return;
      case 'rental_started':
        this.advance(tally, o.atMs);
        tally.rentals++;
        tally.rented++;
        this.confirmed++;
        return;
      case 'rental_ended':
        this.advance(tally, o.atMs);
        tally.busy--;
        tally.rented--;
        tally.busySeries.set(o.atMs, tally.busy);
        this.returned++;
        this.rentalDuration.record(o.durationMs);
        return;
      case 'rental_charged': {
        this.revenue += o.chargedMinor;
        const asked = tally.spec.mechanism.type === 'reservation' ? tally.spec.mechanism.depositMinor : 0;
        if (o.depositMinor > 0) this.depositsHeldCount++;
        else if (asked > 0) this.depositsWaived++;
        this.depositsHeld += o.depositMinor;
        this.depositsPeak = Math.max(this.depositsPeak, this.depositsHeld - this.depositsReleased);
        this.depositSeries.set(o.atMs, this.depositsHeld - this.depositsReleased);
        return;
      }
      case 'deposit_released':
        this.depositsReleased += o.depositReleasedMinor;
        this.depositSeries.set(o.atMs, this.depositsHeld - this.depositsReleased);
        return;
      default:
        return;
    }
  }

  /** Per-offer series for the report: waiting renters and busy units over time. */
  series(): { queueLength: Record<string, SeriesPoint[]>; busyUnits: Record<string, SeriesPoint[]>; depositsHeldMinor: SeriesPoint[] } {
    const queueLength: Record<string, SeriesPoint[]> = {};
    const busyUnits: Record<string, SeriesPoint[]> = {};
    for (const [id, tally] of this.tallies) {
      queueLength[id] = tally.queueSeries.toPoints();
      busyUnits[id] = tally.busySeries.toPoints();
    }
    return { queueLength, busyUnits, depositsHeldMinor: this.depositSeries.toPoints() };
  }

  /** `endMs`: when the run ended; busy time is counted up to it. */
  result(endMs: number): QueueMetrics {
    let busyUnitMs = 0;
    let rentedUnitMs = 0;
    let capacityUnitMs = 0;
    const offers: QueueOfferMetrics[] = [];
    const totals = { joined: 0, servedAtOnce: 0, abandoned: 0, offered: 0, expired: 0, rentals: 0, peakWaiting: 0 };
    for (const tally of this.tallies.values()) {
      const end = Math.max(endMs, tally.lastAtMs);
      const tail = Math.max(0, end - tally.lastAtMs);
      const busy = tally.busyUnitMs + tally.busy * tail;
      const rented = tally.rentedUnitMs + tally.rented * tail;
      const capacity = tally.spec.inventory * Math.max(0, end - tally.openMs);
      busyUnitMs += busy;
      rentedUnitMs += rented;
      capacityUnitMs += capacity;
      totals.joined += tally.joined;
      totals.servedAtOnce += tally.servedAtOnce;
      totals.abandoned += tally.abandoned;
      totals.offered += tally.offered;
      totals.expired += tally.expired;
      totals.rentals += tally.rentals;
      totals.peakWaiting = Math.max(totals.peakWaiting, tally.peakWaiting);
      offers.push({
        offerId: tally.spec.id,
        units: tally.spec.inventory,
        joinedCount: tally.joined,
        servedAtOnceCount: tally.servedAtOnce,
        abandonedCount: tally.abandoned,
        holdsOfferedCount: tally.offered,
        holdsExpiredCount: tally.expired,
        rentalCount: tally.rentals,
        peakWaitingCount: tally.peakWaiting,
        utilizationRatio: ratio(busy, capacity),
        rentedUtilizationRatio: ratio(rented, capacity),
        waitMs: tally.wait.summary(),
      });
    }
    const byClass = [...this.waitByClass.entries()].map(([label, d]) => [label, d.summary()] as const);
    return {
      queues: {
        joinedCount: totals.joined,
        servedAtOnceCount: totals.servedAtOnce,
        abandonedCount: totals.abandoned,
        droppedAtCloseCount: this.droppedAtClose,
        abandonmentRatio: ratio(totals.abandoned, totals.joined),
        holdsOfferedCount: totals.offered,
        holdsConfirmedCount: this.confirmed,
        holdsDeclinedCount: this.declined,
        holdsExpiredCount: totals.expired,
        holdsReleasedAtCloseCount: this.releasedAtClose,
        holdExpiryRatio: ratio(totals.expired, totals.offered),
        holdDeclineRatio: ratio(this.declined, totals.offered),
        waitMs: this.wait.summary(),
        waitByPriorityClassMs: Object.fromEntries(byClass.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
        rentalCount: totals.rentals,
        returnedCount: this.returned,
        rentalDurationMs: this.rentalDuration.summary(),
        utilizationRatio: ratio(busyUnitMs, capacityUnitMs),
        rentedUtilizationRatio: ratio(rentedUnitMs, capacityUnitMs),
        peakWaitingCount: totals.peakWaiting,
        revenueMinor: this.revenue,
        deposits: {
          heldCount: this.depositsHeldCount,
          waivedCount: this.depositsWaived,
          heldMinor: this.depositsHeld,
          releasedMinor: this.depositsReleased,
          heldAtEndMinor: this.depositsHeld - this.depositsReleased,
          peakHeldMinor: this.depositsPeak,
        },
        offers,
      },
    };
  }

  /** Integrates busy and rented units up to `atMs` (events come in time order; a late one adds nothing). */
  private advance(tally: OfferTally, atMs: number): void {
    const dt = atMs - tally.lastAtMs;
    if (dt <= 0) return;
    tally.busyUnitMs += tally.busy * dt;
    tally.rentedUnitMs += tally.rented * dt;
    tally.lastAtMs = atMs;
  }

  private dropWaiting(offerId: string): void {
    const prefix = `${offerId}|`;
    for (const key of [...this.waitingSince.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.waitingSince.delete(key);
      this.classOf.delete(key.slice(prefix.length));
      this.droppedAtClose++;
    }
  }
}
