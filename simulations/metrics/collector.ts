// Turns a run's observations into its metrics. Mechanism-neutral parts live here (shoppers, commands and refusal
// codes, money, prices, time series); each mechanism adds its own collector (groups today; auctions and queues
// next). Every name carries its unit: `…Ms` milliseconds, `…Minor` minor units of the offers' currency, `…Count`
// a count, `…Ratio` a share from 0 to 1, `…Units` units of inventory.
import type { Observation } from '../observations.ts';
import { GroupMetricsCollector, sortedRecord, type GroupMetrics } from './group-metrics.ts';
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
  };
}

export type RunMetrics = CoreMetrics & Partial<GroupMetrics>;

export interface CollectorOptions {
  startMs: number;
  /** How long the run is expected to last (sizes the time series' intervals). */
  expectedSpanMs: number;
  seriesPoints: number;
  fillCurves: number;
  currency: string;
  offerIds: readonly string[];
  mechanism: 'group';
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

  constructor(private readonly options: CollectorOptions) {
    const series = () => new TimeSeries(options.startMs, options.expectedSpanMs, options.seriesPoints);
    for (const id of options.offerIds) this.priceSeries.set(id, series());
    this.heldSeries = series();
    this.soldSeries = series();
    this.liveGroupSeries = series();
    this.groups = options.mechanism === 'group' ? new GroupMetricsCollector(options.fillCurves) : null;
  }

  /** The offer's price when the run starts (the engine sets it at creation without an event). */
  initialPrice(offerId: string, priceMinor: number, atMs: number): void {
    this.prices.set(offerId, { initialMinor: priceMinor, finalMinor: priceMinor, minMinor: priceMinor, maxMinor: priceMinor, changeCount: 0 });
    this.priceSeries.get(offerId)?.set(atMs, priceMinor);
  }

  observe(o: Observation): void {
    this.groups?.observe(o);
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
      case 'price_changed': {
        const price = this.prices.get(o.offerId);
        if (price) {
          price.finalMinor = o.priceMinor;
          price.minMinor = Math.min(price.minMinor, o.priceMinor);
          price.maxMinor = Math.max(price.maxMinor, o.priceMinor);
          price.changeCount++;
        } else {
          this.initialPrice(o.offerId, o.priceMinor, o.atMs);
        }
        this.priceSeries.get(o.offerId)?.set(o.atMs, o.priceMinor);
        return;
      }
      case 'group_opened':
      case 'group_completed':
      case 'group_failed':
        if (this.groups) this.liveGroupSeries.set(o.atMs, this.groups.liveGroups);
        return;
      default:
        return;
    }
  }

  result(): RunMetrics {
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
      prices: Object.fromEntries(this.options.offerIds.map((id) => [id, this.prices.get(id) ?? { initialMinor: 0, finalMinor: 0, minMinor: 0, maxMinor: 0, changeCount: 0 }])),
      series: {
        priceMinor: Object.fromEntries(this.options.offerIds.map((id) => [id, this.priceSeries.get(id)!.toPoints()])),
        heldUnits: this.heldSeries.toPoints(),
        soldUnits: this.soldSeries.toPoints(),
        liveGroups: this.liveGroupSeries.toPoints(),
      },
    };
    return this.groups ? { ...core, ...this.groups.result() } : core;
  }
}
