// `GET /v1/offers`: a merchant's own offers, a page at a time, in creation order (oldest first). The cursor is the
// id of the last offer of the previous page. Offers are never removed from the engine and their order never
// changes, so a cursor stays valid and offers listed after a page was read appear on a later page, never twice.
import { z } from 'zod';
import { Id, type OfferView } from '../engine/index.ts';
import type { GatewayContext } from './context.ts';
import { errorReply, merchantOf, validate, type Reply, type RequestData } from './http-kit.ts';

export const OFFER_LIST_LIMITS = { default: 50, max: 200 } as const;

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(OFFER_LIST_LIMITS.max).optional(),
  cursor: Id.optional(),
});

export function listOffers(ctx: GatewayContext, request: RequestData): Reply {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant.reply;
  const query = validate(ListQuery, Object.fromEntries(new URLSearchParams(request.query)));
  if (!query.ok) return query.reply;
  const { merchantId } = merchant;
  const limit = query.value.limit ?? OFFER_LIST_LIMITS.default;
  const { cursor } = query.value;
  // A cursor must be one of the merchant's own offers: another merchant's id would tell whether it exists.
  if (cursor !== undefined && ctx.engine.offer(cursor)?.merchantId !== merchantId) {
    return errorReply('bad_request', 'cursor: not an offer of this merchant; pass the nextCursor of a previous page');
  }

  // The engine keeps no per-merchant index and exposes offers as views, so this walks the offers after the
  // cursor (at most the engine's `maxOffers`) until the page is full.
  const offers: OfferView[] = [];
  let started = cursor === undefined;
  let more = false;
  for (const offerId of ctx.engine.offerIds()) {
    if (!started) {
      started = offerId === cursor;
      continue;
    }
    const offer = ctx.engine.offer(offerId);
    if (offer?.merchantId !== merchantId) continue;
    if (offers.length === limit) {
      more = true;
      break;
    }
    offers.push(offer);
  }
  const nextCursor = more ? offers[offers.length - 1]!.offerId : null;
  return { status: 200, body: { offers, nextCursor, serverTimeMs: ctx.clock() } };
}
