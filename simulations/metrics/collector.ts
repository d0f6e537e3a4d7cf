// Turns a run's observations into its metrics. Mechanism-neutral parts live here (shoppers, commands and refusal
// codes, money, prices, time series); each mechanism adds its own collector (groups, auctions, reservation
// queues). Every name carries its unit: `…Ms` milliseconds, `…Minor` minor units of the offers' currency, `…Count`
// a count, `…Ratio` a share from 0 to 1, `…Units` units of inventory.
import type { Observation } from '../observations.ts';
import type { OfferSpec, Scenario } from '../scenario-schema.ts';
import { AuctionMetricsCollector, type AuctionMetrics } from './auction-metrics.ts';
import { GroupMetricsCollector, sortedRecord, type GroupMetrics } from './group-metrics.ts';
import { QueueMetricsCollector, type QueueMetrics } from './queue-metrics.ts';
import { TimeSeries, type SeriesPoint } from './time-series.ts';
import { ratio, round3, ValueDistribution, type DistributionSummary } from './value-distribution.ts';

export interface CommandCounts {
  sentCount: number;
  acceptedCount: number;
  refusedCount: number;
}

export interface PriceSummary {
  initialMinor: number;
  finalMinor: number;
  minMinor: number;
  maxMinor: number;
  changeCount: number;
}

export interface CoreMetrics {
  shoppers: {
    arrivedCount: number;
    invitedArrivedCount: number;
    inviteDeclinedCount: number;
    cappedCount: number;
    walkedAwayCount: number;
    patienceRanOutCount: number;
    withPaidSeatCount: number;
    /** Shoppers who paid for a seat, of every shopper who came (invited friends included). */
    purchaseRatio: number;
  };
  commands: Record<string, CommandCounts>;
  errorsByCode: Record<string, number>;
  money: {
    currency: string;
    chargedMinor: number;
    /** What settled seats paid: the merchant's revenue. */
    revenueMinor: number;
    refundedMinor: number;
    /** Charged and neither paid nor refunded yet: seats still in live groups when the run ended. */
    outstandingMinor: number;
    soldUnits: number;
    averageUnitPriceMinor: number;
    revenuePerShopperMinor: number;
    /** The unit price each sold unit paid. */
    pricePaidMinor: DistributionSummary;
  };
  prices: Record<string, PriceSummary>;
  series: {
    priceMinor: Record<string, SeriesPoint[]>;
    heldUnits: SeriesPoint[];
    soldUnits: SeriesPoint[];
    liveGroups: SeriesPoint[];
    /** Reservation queues: waiting renters and busy (held or rented) units per offer, deposits held in all. */
    queueLength?: Record<string, SeriesPoint[]>;
    busyUnits?: Record<string, SeriesPoint[]>;
    depositsHeldMinor?: SeriesPoint[];
  };
}

export type RunMetrics = CoreMetrics & Partial<GroupMetrics> & Partial<AuctionMetrics> & Partial<QueueMetrics>;

export interface CollectorOptions {
  startMs: number;
  /** How long the run is expected to last (sizes the time series' intervals). */
  expectedSpanMs: number;
  seriesPoints: number;
  fillCurves: number;
  currency: string;
  offers: readonly OfferSpec[];
  mechanism: Scenario['behaviour']['mechanism'];
}

export class MetricsCollector {
  private readonly shoppers = { arrived: 0, invited: 0, declined: 0, capped: 0, walkedAway: 0, impatient: 0 };
  private readonly paidShoppers = new Set<string>();
  private readonly commands = new Map<string, CommandCounts>();
  private readonly errors: Record<string, number> = {};
  private charged = 0;
  private paid = 0;
  private refunded = 0;
  private sold = 0;
  private held = 0;
  private readonly pricePaid = new ValueDistribution();
  private readonly prices = new Map<string, PriceSummary>();
  private readonly priceSeries = new Map<string, TimeSeries>();
  private readonly heldSeries: TimeSeries;
  private readonly soldSeries: TimeSeries;
  private readonly liveGroupSeries: TimeSeries;
  private readonly groups: GroupMetricsCollector | null;
  private readonly auctions: AuctionMetricsCollector | null;
  private readonly queues: QueueMetricsCollector | null;
  private readonly offerIds: string[];

  constructor(private readonly options: CollectorOptions) {
    const series = () => new TimeSeries(options.startMs, options.expectedSpanMs, options.seriesPoints);
    this.offerIds = options.offers.map((offer) => offer.id);
    for (const id of this.offerIds) this.priceSeries.set(id, series());
    this.heldSeries = series();
    this.soldSeries = series();
    this.liveGroupSeries = series();
    this.groups = options.mechanism === 'group' ? new GroupMetricsCollector(options.fillCurves) : null;
    this.auctions = options.mechanism === 'auction' ? new AuctionMetricsCollector(options.offers, options.startMs) : null;
    this.queues = options.mechanism === 'reservation' ? new QueueMetricsCollector(options.offers, options.startMs, series) : null;
  }

  /**
   * What still settles by itself, so a run is not over while it lasts: live groups (their deadlines), auctions that
   * close at an end, and holds waiting for an answer (confirmed, declined or expired).
   */
  get pendingSettlements(): number {
    return (this.groups?.liveGroups ?? 0) + (this.auctions?.openWithEnd ?? 0) + (this.queues?.liveHolds ?? 0);
  }

  /** The offer's price when the run starts (the engine sets it at creation without an event). */
  initialPrice(offerId: string, priceMinor: number, atMs: number): void {
    this.prices.set(offerId, { initialMinor: priceMinor, finalMinor: priceMinor, minMinor: priceMinor, maxMinor: priceMinor, changeCount: 0 });
    this.priceSeries.get(offerId)?.set(atMs, priceMinor);
  }

  observe(o: Observation): void {
    this.groups?.observe(o);
    this.auctions?.observe(o);
    this.queues?.observe(o);
    switch (o.type) {
      case 'shopper_arrived':
        if (o.invitedBy === null) this.shoppers.arrived++;
        else this.shoppers.invited++;
        return;
      case 'shopper_capped':
        this.shoppers.capped++;
        return;
      case 'invite_declined':
        this.shoppers.declined++;
        return;
      case 'walked_away':
        this.shoppers.walkedAway++;
        return;
      case 'patience_ran_out':
        this.shoppers.impatient++;
        return;
      case 'command': {
        let counts = this.commands.get(o.command);
        if (!counts) this.commands.set(o.command, (counts = { sentCount: 0, acceptedCount: 0, refusedCount: 0 }));
        counts.sentCount++;
        if (o.ok) counts.acceptedCount++;
        else {
          counts.refusedCount++;
          const code = o.code ?? 'unknown';
          this.errors[code] = (this.errors[code] ?? 0) + 1;
        }
        return;
      }
      case 'seat_charged':
        this.charged += o.chargedMinor;
        this.held += o.qty;
        this.heldSeries.set(o.atMs, this.held);
        return;
      case 'seat_released':
        this.refunded += o.refundMinor;
        this.held -= o.qty;
        this.heldSeries.set(o.atMs, this.held);
        return;
      case 'seat_settled':
        this.paid += o.paidMinor;
        this.refunded += o.refundMinor;
        this.held -= o.qty;
        this.sold += o.qty;
        this.pricePaid.record(o.unitPriceMinor, o.qty);
        if (o.paidMinor > 0) this.paidShoppers.add(o.shopperId);
        this.heldSeries.set(o.atMs, this.held);
        this.soldSeries.set(o.atMs, this.sold);
        return;
      case 'price_changed':
      case 'auction_price_dropped':
        this.priceMoved(o.offerId, o.priceMinor, o.atMs);
        return;
      // An auction's price is its public price (English), its clock (Dutch) and, at the close, the clearing price;
      // a bid that leaves the price where it was (a leader raising its own maximum) is no change.
      case 'bid_placed':
        if (o.priceMinor !== null && o.priceMinor !== this.prices.get(o.offerId)?.finalMinor) this.priceMoved(o.offerId, o.priceMinor, o.atMs);
        return;
      case 'auction_closed':
        if (o.clearingPriceMinor !== null && o.clearingPriceMinor !== this.prices.get(o.offerId)?.finalMinor) this.priceMoved(o.offerId, o.clearingPriceMinor, o.atMs);
        return;
      // Auction orders and rentals are paid in full when made: charged and earned at once, nothing to refund.
      case 'auction_won':
        this.earned(o.shopperId, o.paidMinor, o.qty, o.unitPriceMinor, o.atMs);
        return;
      case 'rental_charged':
        this.earned(o.shopperId, o.chargedMinor, 1, o.unitPriceMinor, o.atMs);
        return;
      // A reservation's units are held from the hold offered until it ends unconfirmed or the rental is returned.
      case 'hold_offered':
      case 'hold_ended':
      case 'rental_ended':
        this.held += o.type === 'hold_offered' ? 1 : -1;
        this.heldSeries.set(o.atMs, this.held);
        return;
      case 'group_opened':
      case 'group_completed':
      case 'group_failed':
        if (this.groups) this.liveGroupSeries.set(o.atMs, this.groups.liveGroups);
        return;
      default:
        return;
    }
  }

  private priceMoved(offerId: string, priceMinor: number, atMs: number): void {
    const price = this.prices.get(offerId);
    if (price) {
      price.finalMinor = priceMinor;
      price.minMinor = Math.min(price.minMinor, priceMinor);
      price.maxMinor = Math.max(price.maxMinor, priceMinor);
      price.changeCount++;
    } else {
      this.initialPrice(offerId, priceMinor, atMs);
    }
    this.priceSeries.get(offerId)?.set(atMs, priceMinor);
  }

  private earned(shopperId: string, paidMinor: number, units: number, unitPriceMinor: number, atMs: number): void {
    this.charged += paidMinor;
    this.paid += paidMinor;
    this.sold += units;
    this.pricePaid.record(unitPriceMinor, units);
    if (paidMinor > 0) this.paidShoppers.add(shopperId);
    this.soldSeries.set(atMs, this.sold);
  }

  /** `endMs`: when the run ended (utilization counts busy time up to it). */
  result(endMs: number): RunMetrics {
    const everyone = this.shoppers.arrived + this.shoppers.invited;
    const commands = Object.fromEntries([...this.commands.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    const core: CoreMetrics = {
      shoppers: {
        arrivedCount: this.shoppers.arrived,
        invitedArrivedCount: this.shoppers.invited,
        inviteDeclinedCount: this.shoppers.declined,
        cappedCount: this.shoppers.capped,
        walkedAwayCount: this.shoppers.walkedAway,
        patienceRanOutCount: this.shoppers.impatient,
        withPaidSeatCount: this.paidShoppers.size,
        purchaseRatio: ratio(this.paidShoppers.size, everyone),
      },
      commands,
      errorsByCode: sortedRecord(this.errors),
      money: {
        currency: this.options.currency,
        chargedMinor: this.charged,
        revenueMinor: this.paid,
        refundedMinor: this.refunded,
        outstandingMinor: this.charged - this.paid - this.refunded,
        soldUnits: this.sold,
        averageUnitPriceMinor: this.sold === 0 ? 0 : round3(this.paid / this.sold),
        revenuePerShopperMinor: everyone === 0 ? 0 : round3(this.paid / everyone),
        pricePaidMinor: this.pricePaid.summary(),
      },
      prices: Object.fromEntries(this.offerIds.map((id) => [id, this.prices.get(id) ?? { initialMinor: 0, finalMinor: 0, minMinor: 0, maxMinor: 0, changeCount: 0 }])),
      series: {
        priceMinor: Object.fromEntries(this.offerIds.map((id) => [id, this.priceSeries.get(id)!.toPoints()])),
        heldUnits: this.heldSeries.toPoints(),
        soldUnits: this.soldSeries.toPoints(),
        liveGroups: this.liveGroupSeries.toPoints(),
        ...(this.queues ? this.queues.series() : {}),
      },
    };
    return {
      ...core,
      ...(this.groups ? this.groups.result() : {}),
      ...(this.auctions ? this.auctions.result() : {}),
      ...(this.queues ? this.queues.result(endMs) : {}),
    };
  }
}
