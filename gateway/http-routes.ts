// HTTP routes on the same uWS app as the sockets: the merchant API, shopper reads for clients without a socket,
// and operations (health, readiness, metrics, development tokens). docs/http-api.md documents each one.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { CreateOffer, Id, Money, type OfferView } from '../engine/index.ts';
import { offerChannel } from './channel-names.ts';
import { ownershipProblem, runCommand, type GatewayContext } from './context.ts';
import { errorReply, merchantOf, refusal, route, validate, type Reply, type RequestData } from './http-kit.ts';
import { listOffers } from './merchant-offers.ts';
import { WIRE_OFFER_PATCH, withTimeZoneNames } from './protocol.ts';
import { optionalShopper } from './shopper-bearer.ts';
import { CreditScoreClaim, MemberTierClaim, mintShopperToken, PriorityClassClaim } from './shopper-tokens.ts';
import type { UnstampedCommand } from '../runtime/sequencer.ts';

const CreateOfferBody = withTimeZoneNames('create_offer', CreateOffer.omit({ type: true, nowMs: true, merchantId: true, idempotencyKey: true }));
const IdempotencyKey = z.string().min(1).max(128);
const QuoteQuery = z.strictObject({ groupId: Id.optional(), asLeader: z.enum(['true', 'false']).optional() });
const DevTokenBody = z.strictObject({
  shopperId: Id,
  newcomer: z.boolean().default(false),
  exposureLimitMinor: Money.optional(),
  priorityClass: PriorityClassClaim.optional(),
  creditScore: CreditScoreClaim.optional(),
  memberTier: MemberTierClaim.optional(),
});
const EmptyBody = z.union([z.undefined(), z.strictObject({})]);

export function registerHttpRoutes(app: TemplatedApp, ctx: GatewayContext): void {
  const read = { readBody: false };
  const write = { readBody: true };

  app.post('/v1/offers', route(ctx, 'create_offer', write, (request) => createOffer(ctx, request)));
  app.get('/v1/offers', route(ctx, 'list_offers', read, (request) => listOffers(ctx, request)));
  app.patch('/v1/offers/:offerId', route(ctx, 'edit_offer', write, (request) => editOffer(ctx, request)));
  for (const action of ['pause', 'resume', 'close'] as const) {
    app.post(`/v1/offers/:offerId/${action}`, route(ctx, `${action}_offer`, write, (request) => offerAction(ctx, request, action)));
  }
  app.get('/v1/offers/:offerId', route(ctx, 'offer_state', read, (request) => offerState(ctx, request)));
  app.get('/v1/offers/:offerId/groups', route(ctx, 'offer_groups', read, (request) => offerGroups(ctx, request)));

  app.get('/v1/offers/:offerId/quote', route(ctx, 'quote', read, (request) => quote(ctx, request)));
  app.get('/v1/offers/:offerId/open-groups', route(ctx, 'open_groups', read, (request) => openGroups(ctx, request)));

  app.get('/healthz', route(ctx, 'healthz', read, () => health(ctx)));
  app.get('/readyz', route(ctx, 'readyz', read, () => readiness(ctx)));
  app.get('/metrics', route(ctx, 'metrics', read, () => ({ status: 200, body: ctx.metrics.render(), contentType: 'text/plain; version=0.0.4' })));
  if (ctx.config.devTokens) app.post('/dev/shopper-tokens', route(ctx, 'dev_token', write, (request) => devToken(ctx, request)));
  if (ctx.config.debugState) app.get('/debug/state', route(ctx, 'debug_state', read, (request) => debugState(ctx, request)));

  app.options('/*', route(ctx, 'preflight', read, (request) => preflight(ctx, request)));
  app.any('/*', route(ctx, 'not_found', read, (request) => errorReply('not_found', `No route ${request.method.toUpperCase()} ${request.url}.`)));
}

async function createOffer(ctx: GatewayContext, request: RequestData): Promise<Reply> {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant.reply;
  const body = validate(CreateOfferBody, request.body ?? {});
  if (!body.ok) return body.reply;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.reply;
  const command = { type: 'create_offer', ...body.value, merchantId: merchant.merchantId, ...key.value } as UnstampedCommand;
  const { result } = await runCommand(ctx, command);
  if (!result.ok) return errorReply(result.code, result.message);
  return { status: 201, body: { offerId: result.offerId, offer: ctx.engine.offer(result.offerId!) } };
}

async function editOffer(ctx: GatewayContext, request: RequestData): Promise<Reply> {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const patch = validate(WIRE_OFFER_PATCH, request.body ?? {});
  if (!patch.ok) return patch.reply;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.reply;
  // A patch that changes nothing is answered with the offer as it is, and never sequenced: the engine would emit no
  // event for it, and the journal keeps only commands that can change the market. A closed or unknown offer still
  // goes to the engine, which refuses it as for any other patch.
  const current = ctx.engine.offer(target.offerId);
  if (current && current.status !== 'closed' && changesNothing(current, patch.value)) return { status: 200, body: { offer: current } };
  const command: UnstampedCommand = { type: 'edit_offer', merchantId: target.merchantId, offerId: target.offerId, patch: patch.value, ...key.value };
  const { result } = await runCommand(ctx, command);
  if (!result.ok) return errorReply(result.code, result.message);
  return { status: 200, body: { offer: ctx.engine.offer(target.offerId) } };
}

async function offerAction(ctx: GatewayContext, request: RequestData, action: 'pause' | 'resume' | 'close'): Promise<Reply> {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const body = validate(EmptyBody, request.body);
  if (!body.ok) return body.reply;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.reply;
  const command: UnstampedCommand = { type: `${action}_offer`, merchantId: target.merchantId, offerId: target.offerId, ...key.value };
  const { result } = await runCommand(ctx, command);
  if (!result.ok) return errorReply(result.code, result.message);
  return { status: 200, body: { offer: ctx.engine.offer(target.offerId) } };
}

function offerState(ctx: GatewayContext, request: RequestData): Reply {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const offer = ctx.engine.offer(target.offerId);
  if (!offer) return refusal(ctx, 'unknown_offer', `No offer "${target.offerId}".`);
  return { status: 200, body: { offer, watchers: ctx.app.numSubscribers(offerChannel(target.offerId)), serverTimeMs: ctx.clock() } };
}

function offerGroups(ctx: GatewayContext, request: RequestData): Reply {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  if (!ctx.engine.offer(target.offerId)) return refusal(ctx, 'unknown_offer', `No offer "${target.offerId}".`);
  return { status: 200, body: { offerId: target.offerId, groups: ctx.engine.groupsOf(target.offerId), serverTimeMs: ctx.clock() } };
}

async function quote(ctx: GatewayContext, request: RequestData): Promise<Reply> {
  const limited = publicLimit(ctx, request);
  if (limited) return limited;
  const offerId = validate(Id, request.params[0]);
  if (!offerId.ok) return offerId.reply;
  const query = validate(QuoteQuery, Object.fromEntries(new URLSearchParams(request.query)));
  if (!query.ok) return query.reply;
  const { groupId, asLeader } = query.value;
  // With a shopper's token the quote is that shopper's (its newcomer flag and member tier); without one, nobody's.
  const asker = optionalShopper(ctx, request);
  if (!asker.ok) return asker.reply;
  const segment = asker.shopper ? { newcomer: asker.shopper.newcomer, ...(asker.shopper.memberTier !== null ? { memberTier: asker.shopper.memberTier } : {}) } : { newcomer: false };
  const command: UnstampedCommand = { type: 'quote', offerId: offerId.value, asLeader: asLeader === 'true', ...segment, ...(groupId ? { groupId } : {}) };
  const { result } = await runCommand(ctx, command);
  if (!result.ok) return errorReply(result.code, result.message);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { ok, ...answer } = result;
  return { status: 200, body: { ...answer, serverTimeMs: ctx.clock() } };
}

function openGroups(ctx: GatewayContext, request: RequestData): Reply {
  const limited = publicLimit(ctx, request);
  if (limited) return limited;
  const offerId = validate(Id, request.params[0]);
  if (!offerId.ok) return offerId.reply;
  if (!ctx.engine.offer(offerId.value)) return refusal(ctx, 'unknown_offer', `No offer "${offerId.value}".`);
  return { status: 200, body: { offerId: offerId.value, groups: ctx.engine.groupSummariesOf(offerId.value), serverTimeMs: ctx.clock() } };
}

/** Unhealthy only when the sequencer stopped for good: a restart (and recovery from the store) is the remedy. */
function health(ctx: GatewayContext): Reply {
  if (ctx.sequencer.status === 'failed') return errorReply('unavailable', 'The engine or its journal failed; restart the server to recover from the store.');
  return { status: 200, body: { status: 'ok' } };
}

function readiness(ctx: GatewayContext): Reply {
  if (ctx.shuttingDown || !ctx.sequencer.ready) return errorReply('unavailable', 'Not accepting commands.');
  // Effects that cannot be derived stop acknowledgement for good (nothing may be lost): not ready until restarted.
  if (ctx.effects?.failure) return errorReply('unavailable', `Not accepting commands: ${ctx.effects.failure.message}`);
  return { status: 200, body: { status: 'ready' } };
}

/**
 * Read between two commands (handlers run synchronously on the event loop), so the seq and the hash describe
 * the same state: what a replay of the journal up to `appliedSeq` must reproduce.
 */
function debugState(ctx: GatewayContext, request: RequestData): Reply {
  const limited = publicLimit(ctx, request);
  if (limited) return limited;
  const { engine, sequencer } = ctx;
  return {
    status: 200,
    body: { appliedSeq: sequencer.appliedSeq, stateHash: engine.stateHash(), engineNowMs: engine.nowMs, status: sequencer.status, invariantViolations: engine.checkInvariants() },
  };
}

function devToken(ctx: GatewayContext, request: RequestData): Reply {
  const limited = publicLimit(ctx, request);
  if (limited) return limited;
  const body = validate(DevTokenBody, request.body ?? {});
  if (!body.ok) return body.reply;
  const nowMs = ctx.clock();
  const ttlS = ctx.config.devTokenTtlS;
  const token = mintShopperToken(ctx.config.tokenSecret, { ...body.value, ttlS }, nowMs);
  return { status: 201, body: { token, ...body.value, expiresAtMs: (Math.floor(nowMs / 1_000) + ttlS) * 1_000 } };
}

function preflight(ctx: GatewayContext, request: RequestData): Reply {
  // Allowed origins get their CORS headers from `route`; the methods and headers are stated here.
  if (request.origin === '' || !ctx.config.origins.includes(request.origin)) return errorReply('forbidden', 'This origin is not allowed.');
  return {
    status: 204,
    body: '',
    contentType: 'text/plain',
    headers: {
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, idempotency-key, x-request-id',
      'access-control-max-age': '600',
    },
  };
}

/** The merchant and the offer it names, once the key is valid and the offer is the merchant's own (or unknown). */
export function merchantTarget(ctx: GatewayContext, request: RequestData): { ok: true; merchantId: string; offerId: string } | { ok: false; reply: Reply } {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant;
  const offerId = validate(Id, request.params[0]);
  if (!offerId.ok) return offerId;
  const problem = ownershipProblem(ctx, merchant.merchantId, offerId.value);
  if (problem) return { ok: false, reply: errorReply(problem.code, problem.message) };
  return { ok: true, merchantId: merchant.merchantId, offerId: offerId.value };
}

export function idempotencyKeyOf(request: RequestData): { ok: true; value: { idempotencyKey?: string } } | { ok: false; reply: Reply } {
  if (request.idempotencyKey === '') return { ok: true, value: {} };
  const key = validate(IdempotencyKey, request.idempotencyKey);
  return key.ok ? { ok: true, value: { idempotencyKey: key.value } } : key;
}

export function publicLimit(ctx: GatewayContext, request: RequestData): Reply | null {
  if (ctx.limiters.public.take(request.remoteAddress)) return null;
  ctx.metrics.rateLimited.inc({ scope: 'public' });
  return refusal(ctx, 'rate_limited', 'Too many requests from this address; slow down.');
}

/**
 * Whether every field of the patch already has the given value: a top-level setting of the offer (title,
 * inventory, prices, limits, end) or one of its mechanism's (tiers, leader discount…). A field the view does not
 * show as given counts as a change, so only a patch that provably changes nothing is kept from the engine.
 */
export function changesNothing(offer: OfferView, patch: Record<string, unknown>): boolean {
  const view = offer as unknown as Record<string, unknown>;
  const mechanism = offer.mechanism as unknown as Record<string, unknown>;
  return Object.entries(patch).every(([field, value]) => {
    if (value === undefined) return true;
    const now = field in view && field !== 'mechanism' ? view[field] : mechanism[field];
    return now !== undefined && canonicalJson(now) === canonicalJson(value);
  });
}

/** JSON with object keys sorted, so that two equal values give the same text whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
