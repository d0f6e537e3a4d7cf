// The merchant API's effects routes: the authenticated merchant's webhook endpoint and its dead letters
// (webhooks that used up their attempts). Payment dead letters are for operators and are not exposed here.
// Without Redis there are no effects: every route answers `unavailable` saying so (docs/http-api.md).
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import type { GatewayContext } from './context.ts';
import type { GatewayEffects } from '../runtime/effects-runtime.ts';
import { errorReply, merchantOf, validate, route, type Reply, type RequestData } from './http-kit.ts';

const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1_000).optional() });
const EffectId = z.string().min(1).max(1_024);
const EndpointBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2_048),
  // Newest first; two while the merchant rotates its secret (every delivery then carries both signatures).
  secrets: z.array(z.string().min(16).max(256)).min(1).max(2),
});

export function registerEffectsRoutes(app: TemplatedApp, ctx: GatewayContext): void {
  const read = { readBody: false };
  const write = { readBody: true };
  app.get('/v1/dead-letters', route(ctx, 'dead_letters', read, (request) => withEffects(ctx, request, (effects, merchantId) => listDeadLetters(effects, merchantId, request))));
  app.post(
    '/v1/dead-letters/:effectId/redeliver',
    route(ctx, 'redeliver_dead_letter', write, (request) => withEffects(ctx, request, (effects, merchantId) => redeliver(effects, merchantId, request))),
  );
  app.get('/v1/webhook-endpoint', route(ctx, 'webhook_endpoint', read, (request) => withEffects(ctx, request, (effects, merchantId) => showEndpoint(effects, merchantId))));
  app.put(
    '/v1/webhook-endpoint',
    route(ctx, 'set_webhook_endpoint', write, (request) => withEffects(ctx, request, (effects, merchantId) => setEndpoint(effects, merchantId, request))),
  );
  app.del('/v1/webhook-endpoint', route(ctx, 'delete_webhook_endpoint', read, (request) => withEffects(ctx, request, (effects, merchantId) => deleteEndpoint(effects, merchantId))));
}

async function withEffects(ctx: GatewayContext, request: RequestData, handler: (effects: GatewayEffects, merchantId: string) => Reply | Promise<Reply>): Promise<Reply> {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant.reply;
  if (ctx.effects === null) return errorReply('unavailable', 'Effects (orders, payments, webhooks, dead letters) need Redis: this server runs without REDIS_URL.');
  return handler(ctx.effects, merchant.merchantId);
}

async function listDeadLetters(effects: GatewayEffects, merchantId: string, request: RequestData): Promise<Reply> {
  const query = validate(ListQuery, Object.fromEntries(new URLSearchParams(request.query)));
  if (!query.ok) return query.reply;
  if (!effects.admin) return errorReply('unavailable', 'This server runs no effect workers, so it keeps no dead letters.');
  const deadLetters = await effects.admin.deadLetters(merchantId, query.value.limit ?? 100);
  return { status: 200, body: { deadLetters: deadLetters.map(({ effectId, effect, attemptsMade, lastError, failedAtMs }) => ({ effectId, effect, attemptsMade, lastError, failedAtMs })) } };
}

async function redeliver(effects: GatewayEffects, merchantId: string, request: RequestData): Promise<Reply> {
  let raw: string;
  try {
    raw = decodeURIComponent(request.params[0] ?? '');
  } catch {
    return errorReply('bad_request', 'The effect id in the path is not valid percent-encoding.');
  }
  const effectId = validate(EffectId, raw);
  if (!effectId.ok) return effectId.reply;
  if (!effects.admin) return errorReply('unavailable', 'This server runs no effect workers, so it keeps no dead letters.');
  // Only the merchant's own list is looked in: another merchant's effect id is simply not found.
  const found = await effects.admin.redeliver(merchantId, effectId.value);
  if (!found) return errorReply('not_found', `No dead letter "${effectId.value}" for this merchant.`);
  return { status: 200, body: { redelivered: effectId.value } };
}

function showEndpoint(effects: GatewayEffects, merchantId: string): Reply {
  const endpoint = effects.endpoints.endpointFor(merchantId);
  // Secrets are write-only: the merchant has them already, and a leaked API key should not leak them too.
  return { status: 200, body: { url: endpoint?.url ?? null, secrets: endpoint?.secrets.length ?? 0 } };
}

function setEndpoint(effects: GatewayEffects, merchantId: string, request: RequestData): Reply {
  const body = validate(EndpointBody, request.body ?? {});
  if (!body.ok) return body.reply;
  try {
    effects.endpoints.set(merchantId, body.value);
  } catch (error) {
    return errorReply('bad_request', (error as Error).message);
  }
  return { status: 200, body: { url: body.value.url, secrets: body.value.secrets.length } };
}

function deleteEndpoint(effects: GatewayEffects, merchantId: string): Reply {
  effects.endpoints.delete(merchantId);
  return { status: 200, body: { url: null, secrets: 0 } };
}
