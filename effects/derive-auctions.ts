// Auction events → effects. Only `auction_closed` carries money: one order per winner at the clearing price, which
// is also the winner's payment (nothing is charged while bidding, so losers have nothing to get back), and a merchant
// webhook for the close, sold or not.
//
// Why these ids carry no seq: the engine names each order once forever (`orderId` = `<offerId>/<shopperId>`; an
// auction closes once and offers are never forgotten), so the subject alone is unique within a namespace. Keying
// by it also keeps an order single if the same close ever reached the outbox under two seqs.
import type { EngineEvent } from '../engine/index.ts';
import { effectKey } from './effect-spec.ts';
import type { Derivation } from './derivation.ts';

export type AuctionClosedEvent = Extract<EngineEvent, { type: 'auction_closed' }>;

export function deriveAuctionClosed(out: Derivation, event: AuctionClosedEvent): void {
  const ns = out.namespace;
  const info = out.offer(event.offerId);
  for (const winner of event.winners) {
    // A free win (a zero opening price and no reserve) is still an order the merchant must fulfil.
    out.push({
      kind: 'order',
      effectId: out.id(['order', ns, winner.orderId]),
      seq: out.seq,
      atMs: event.atMs,
      merchantId: info.merchantId,
      offerId: event.offerId,
      shopperId: winner.shopperId,
      currency: info.currency,
      subject: { type: 'auction', orderId: winner.orderId },
      paymentRef: effectKey([ns, winner.orderId]),
      qty: winner.qty,
      unitPriceMinor: winner.unitPriceMinor,
      totalMinor: winner.paidMinor,
      chargeMinor: winner.paidMinor,
    });
  }
  const data = {
    kind: event.kind,
    reason: event.reason,
    reserveMet: event.reserveMet,
    clearingPriceMinor: event.clearingPriceMinor,
    unitsSold: event.unitsSold,
    bidders: event.bidders,
    bids: event.bids,
    currency: info.currency,
    // The merchant fulfils the orders, so it sees who won (as it sees a group's members).
    winners: event.winners.map(({ shopperId, bidderNo, orderId, qty, unitPriceMinor, paidMinor }) => ({ shopperId, bidderNo, orderId, qty, unitPriceMinor, paidMinor })),
  };
  out.webhook(['webhook', ns, 'auction_closed', event.offerId], 'auction_closed', event.offerId, info, event.atMs, data);
}
