// A shopper's seats in an offer's live groups: counted per offer so the shopper's stake there is known at once.
import { touch, type Ctx } from '../kernel/context.ts';
import type { GroupOffer } from './pricing.ts';
import type { Group } from './state.ts';

/** Takes a member out of a live group and its offer's seat count (the caller releases or sells its units). */
export function unseat(ctx: Ctx, offer: GroupOffer, group: Group, shopperId: string): void {
  group.members.delete(shopperId);
  const seats = offer.market.seats;
  const left = (seats.get(shopperId) ?? 1) - 1;
  if (left > 0) seats.set(shopperId, left);
  else seats.delete(shopperId);
  touch(ctx, offer, shopperId);
}

