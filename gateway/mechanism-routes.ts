// Shopper reads of auctions and reservations over HTTP, for clients without a socket (an offer's channel streams
// the same views live). Public and limited per client address like the other shopper reads; a shopper's own part
// of a reservation (its place with position and estimated wait, its holds, rentals and bookings with amounts)
// needs its token as `Authorization: Bearer <shopper token>`. docs/http-api.md documents both.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { Id } from '../engine/index.ts';
import type { GatewayContext } from './context.ts';
import { refusal, route, validate, type Reply, type RequestData } from './http-kit.ts';
import { publicLimit } from './http-routes.ts';
import { optionalShopper } from './shopper-bearer.ts';

const NoQuery = z.strictObject({});

export function registerMechanismRoutes(app: TemplatedApp, ctx: GatewayContext): void {
  const read = { readBody: false };
  app.get('/v1/offers/:offerId/auction', route(ctx, 'auction_state', read, (request) => auctionState(ctx, request)));
  app.get('/v1/offers/:offerId/reservation', route(ctx, 'reservation_state', read, (request) => reservationState(ctx, request)));
}

function auctionState(ctx: GatewayContext, request: RequestData): Reply {
  const target = publicTarget(ctx, request);
  if (!target.ok) return target.reply;
  const { offerId } = target;
  const auction = ctx.engine.auction(offerId);
  if (auction === null) return refusal(ctx, 'wrong_mechanism', `Offer "${offerId}" is not an auction.`);
  return { status: 200, body: { offerId, currency: target.currency, auction, serverTimeMs: ctx.clock() } };
}

function reservationState(ctx: GatewayContext, request: RequestData): Reply {
  const target = publicTarget(ctx, request);
  if (!target.ok) return target.reply;
  const asker = optionalShopper(ctx, request);
  if (!asker.ok) return asker.reply;
  const shopperId = asker.shopper?.shopperId;
  const { offerId } = target;
  const reservation = ctx.engine.reservation(offerId, shopperId);
  if (reservation === null) return refusal(ctx, 'wrong_mechanism', `Offer "${offerId}" is not a reservation (queue or slots).`);
  return { status: 200, body: { offerId, currency: target.currency, reservation, serverTimeMs: ctx.clock() } };
}

/** The offer a public read names, once the address is within its rate and the offer exists. */
function publicTarget(ctx: GatewayContext, request: RequestData): { ok: true; offerId: string; currency: string } | { ok: false; reply: Reply } {
  const limited = publicLimit(ctx, request);
  if (limited) return { ok: false, reply: limited };
  const offerId = validate(Id, request.params[0]);
  if (!offerId.ok) return offerId;
  const query = validate(NoQuery, Object.fromEntries(new URLSearchParams(request.query)));
  if (!query.ok) return query;
  const offer = ctx.engine.offer(offerId.value);
  if (!offer) return { ok: false, reply: refusal(ctx, 'unknown_offer', `No offer "${offerId.value}".`) };
  return { ok: true, offerId: offerId.value, currency: offer.currency };
}
