// What live clients receive, as observations (see ../observations.ts). A watcher of `offer:<id>` gets the public
// facts (groups opening, filling, forming, settling; prices); each shopper's own channel gets the money that
// concerns it (charged, refunded, paid). Ids and times are mapped back to the scenario's: live offer ids carry a
// per-run suffix, shopper ids a per-run prefix, and server times are stretched back by the time scale.
import type { Observation } from '../observations.ts';

export interface IdMap {
  /** Live offer id → scenario offer id. */
  offerFromLive(liveOfferId: string): string | null;
  /** Live shopper id → scenario shopper id (null: not one of this run's shoppers). */
  shopperFromLive(liveShopperId: string): string | null;
  simMs(serverMs: number): number;
}

type Fields = Record<string, unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Public deltas of an offer channel; `out` gets zero or more observations. */
export function observePublicEvent(event: Fields, ids: IdMap, out: Observation[]): void {
  const offerId = ids.offerFromLive(str(event.offerId));
  if (offerId === null) return;
  const atMs = ids.simMs(num(event.atMs));
  const groupId = str(event.groupId);
  switch (event.type) {
    case 'group_opened':
      out.push({ type: 'group_opened', offerId, groupId, leaderId: ids.shopperFromLive(str(event.leaderId)) ?? str(event.leaderId), minSize: num(event.minSize), deadlineMs: ids.simMs(num(event.deadlineMs)), atMs });
      return;
    case 'group_joined': {
      const shopperId = ids.shopperFromLive(str(event.shopperId)) ?? str(event.shopperId);
      out.push({ type: 'group_joined', offerId, groupId, shopperId, qty: num(event.qty), size: num(event.size), unitPriceMinor: num(event.unitPriceMinor), atMs });
      return;
    }
    case 'group_left': {
      const shopperId = ids.shopperFromLive(str(event.shopperId)) ?? str(event.shopperId);
      out.push({ type: 'group_left', offerId, groupId, shopperId, qty: num(event.qty), size: num(event.size), atMs });
      return;
    }
    case 'group_formed':
      out.push({ type: 'group_formed', offerId, groupId, size: num(event.size), atMs });
      return;
    case 'group_completed':
      out.push({ type: 'group_completed', offerId, groupId, size: num(event.size), autoFilledSeats: num(event.autoFilledSeats), reason: str(event.reason), atMs });
      return;
    case 'group_failed':
      out.push({ type: 'group_failed', offerId, groupId, size: num(event.size), reason: str(event.reason), atMs });
      return;
    case 'price_changed':
      out.push({ type: 'price_changed', offerId, priceMinor: num(event.priceMinor), atMs });
      return;
    case 'offer_closed':
      out.push({ type: 'offer_closed', offerId, atMs });
      return;
    default:
      return;
  }
}

/** Private deltas of `shopper:<id>`: the shopper's own charges, refunds and settlement. */
export function observePrivateEvent(event: Fields, shopperId: string, ids: IdMap, out: Observation[]): void {
  const offerId = ids.offerFromLive(str(event.offerId));
  if (offerId === null) return;
  const atMs = ids.simMs(num(event.atMs));
  const groupId = str(event.groupId);
  switch (event.type) {
    case 'group_joined':
      out.push({ type: 'seat_charged', offerId, groupId, shopperId, qty: num(event.qty), chargedMinor: num(event.chargedMinor), atMs });
      return;
    case 'group_left':
      out.push({ type: 'seat_released', offerId, groupId, shopperId, qty: num(event.qty), refundMinor: num(event.refundMinor), reason: 'left', atMs });
      return;
    case 'group_completed': {
      const s = (event.settlement ?? {}) as Fields;
      out.push({ type: 'seat_settled', offerId, groupId, shopperId, qty: num(s.qty), unitPriceMinor: num(s.unitPriceMinor), paidMinor: num(s.paidMinor), refundMinor: num(s.refundMinor), atMs });
      return;
    }
    case 'group_failed': {
      const r = (event.refund ?? {}) as Fields;
      out.push({ type: 'seat_released', offerId, groupId, shopperId, qty: num(r.qty), refundMinor: num(r.refundMinor), reason: 'group_failed', atMs });
      return;
    }
    default:
      return;
  }
}
