// Follows auction money through the events alone, in every seed: an auction closes at most once, and nothing
// happens to it afterwards (no bid, extension or clock drop); at the close each winner pays unit price × qty, all
// at the one clearing price, with one order per winner (`<offerId>/<shopperId>`) and the units sold adding up;
// nobody whose bid decided the close pays more a unit than that bid (buy-now and Dutch buyers take one unit at
// the announced price). Against the engine's state: an auction is closed exactly when its close was announced.
import type { EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import { CheckFailure, expectTrue } from './check-failure.ts';

type ClosedEvent = Extract<EngineEvent, { type: 'auction_closed' }>;

export class AuctionLedger {
  /** Offers whose auction closed; bounded by the offers of the run. */
  private readonly closed = new Set<string>();
  /** Standing bids (the private `bidMinor` of `bid_placed`) by offer and shopper, dropped at the close. */
  private readonly bids = new Map<string, Map<string, number>>();

  record(event: EngineEvent): void {
    switch (event.type) {
      case 'bid_placed': {
        this.expectOpen(event.offerId, event.type);
        const bids = this.bids.get(event.offerId) ?? new Map<string, number>();
        bids.set(event.shopperId, event.bidMinor);
        this.bids.set(event.offerId, bids);
        break;
      }
      case 'auction_extended':
      case 'auction_price_dropped':
        this.expectOpen(event.offerId, event.type);
        break;
      case 'auction_closed':
        this.expectOpen(event.offerId, event.type);
        this.checkClose(event);
        this.closed.add(event.offerId);
        this.bids.delete(event.offerId);
        break;
      default:
        break;
    }
  }

  /** The engine's auctions are closed exactly when their close was announced. */
  checkState(snapshot: EngineSnapshot): void {
    for (const offer of snapshot.offers) {
      const auction = offer.market;
      if (auction.type !== 'auction') continue;
      const announced = this.closed.has(offer.id);
      expectTrue('money: an auction is closed exactly when its close was announced', (auction.status === 'closed') === announced, () => `${offer.id} is ${auction.status}, its close was ${announced ? '' : 'not '}announced`);
    }
  }

  private expectOpen(offerId: string, what: string): void {
    if (this.closed.has(offerId)) throw new CheckFailure('money: an auction closes once and nothing happens after', `${what} on ${offerId} after its auction_closed`);
  }

  private checkClose(event: ClosedEvent): void {
    const detail = () => JSON.stringify(event);
    const bids = this.bids.get(event.offerId);
    let units = 0;
    const seen = new Set<string>();
    for (const winner of event.winners) {
      expectTrue('money: an auction winner pays unit price × qty', winner.paidMinor === winner.unitPriceMinor * winner.qty, detail);
      expectTrue('money: every winner pays the clearing price', winner.unitPriceMinor === event.clearingPriceMinor, detail);
      expectTrue('money: one order per winner, named <offerId>/<shopperId>', winner.orderId === `${event.offerId}/${winner.shopperId}` && !seen.has(winner.shopperId), detail);
      seen.add(winner.shopperId);
      units += winner.qty;
      if (event.reason === 'ended' || event.reason === 'offer_closed') {
        const bid = bids?.get(winner.shopperId);
        expectTrue('money: nobody pays more a unit than they bid', bid !== undefined && winner.unitPriceMinor <= bid, () => `${detail()} (standing bid ${bid})`);
      } else {
        expectTrue('money: a buy-now or Dutch buyer takes the one unit', event.winners.length === 1 && winner.qty === 1, detail);
      }
    }
    expectTrue('money: units sold add up over the winners', units === event.unitsSold, detail);
    expectTrue('money: a clearing price exactly when something sold', (event.clearingPriceMinor === null) === (event.winners.length === 0), detail);
  }
}
