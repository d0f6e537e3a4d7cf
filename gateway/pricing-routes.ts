// The merchant pricing API: validate a rule set, attach a new version to an offer (through the sequencer, like
// every write), read an offer's versions and price history, and preview a rule set without touching the market.
// docs/http-api.md documents each route. Validation problems come back as `invalid_settings` with every
// `{path, message}` (paths relative to the request body, e.g. `ruleSet.rules.2.tiers.1.priceMinor`), so a
// console can show each one next to its field.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { Id, TimeMs, type OfferView } from '../engine/index.ts';
import { parseRuleSet, runPreviewRequest, type PreviewAnswer, type RuleSet, type RuleSetError } from '../pricing/index.ts';
import { ownershipProblem, runCommand, type GatewayContext } from './context.ts';
import { idempotencyKeyOf, merchantTarget } from './http-routes.ts';
import { errorReply, merchantOf, refusal, route, statusOf, validate, type Reply, type RequestData } from './http-kit.ts';
import type { UnstampedCommand } from '../runtime/sequencer.ts';

export const PRICING_API_LIMITS = {
  /** Price points one history read returns at most (the engine keeps the latest 256). */
  historyPointsMax: 256,
  historyPointsDefault: 100,
  /**
   * Explanation lines one preview may return. The preview itself is bounded (2 000 points), but 2 000 points each
   * explained could be megabytes; past this the merchant is asked to sample less often or explain less.
   */
  previewExplanationLinesMax: 10_000,
} as const;

// `ruleSet` stays unknown here: `parseRuleSet` checks it and names every wrong field, which zod's short
// `bad_request` summary would not.
const ValidateBody = z.strictObject({ ruleSet: z.unknown(), offerId: Id.optional() });
const AttachBody = z.strictObject({ ruleSet: z.unknown(), effectiveAtMs: TimeMs.optional() });
const HistoryQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(PRICING_API_LIMITS.historyPointsMax).optional() });

export function registerPricingRoutes(app: TemplatedApp, ctx: GatewayContext): void {
  const read = { readBody: false };
  const write = { readBody: true };
  app.post('/v1/rule-sets/validate', route(ctx, 'validate_rule_set', write, (request) => validateRuleSet(ctx, request)));
  app.put('/v1/offers/:offerId/rule-set', route(ctx, 'set_rule_set', write, (request) => attachRuleSet(ctx, request)));
  app.get('/v1/offers/:offerId/rule-sets', route(ctx, 'rule_sets', read, (request) => ruleSets(ctx, request)));
  app.get('/v1/offers/:offerId/price-history', route(ctx, 'price_history', read, (request) => priceHistory(ctx, request)));
  app.post('/v1/pricing/preview', route(ctx, 'pricing_preview', write, (request) => preview(ctx, request)));
}

function validateRuleSet(ctx: GatewayContext, request: RequestData): Reply {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant.reply;
  const body = validate(ValidateBody, request.body ?? {});
  if (!body.ok) return body.reply;
  let offer: OfferView | null = null;
  if (body.value.offerId !== undefined) {
    const problem = ownershipProblem(ctx, merchant.merchantId, body.value.offerId);
    if (problem) return errorReply(problem.code, problem.message);
    offer = ctx.engine.offer(body.value.offerId);
    if (!offer) return refusal(ctx, 'unknown_offer', `No offer "${body.value.offerId}".`);
  }
  const checked = checkRuleSet(body.value.ruleSet, offer);
  if (!checked.ok) return invalid(ctx, checked.errors);
  return { status: 200, body: { ok: true, ruleSet: checked.ruleSet } };
}

async function attachRuleSet(ctx: GatewayContext, request: RequestData): Promise<Reply> {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const body = validate(AttachBody, request.body ?? {});
  if (!body.ok) return body.reply;
  const key = idempotencyKeyOf(request);
  if (!key.ok) return key.reply;
  const offer = ctx.engine.offer(target.offerId);
  if (!offer) return refusal(ctx, 'unknown_offer', `No offer "${target.offerId}".`);
  // Checked here for the full list of problems; the engine checks again when the command runs (the offer may have
  // moved on meanwhile), and its refusal is turned into the same shape below. With an Idempotency-Key the checks
  // against the offer are the engine's alone: a retry's version is no longer above the latest (it is the latest),
  // and the engine answers it with the first result.
  const checked = checkRuleSet(body.value.ruleSet, key.value.idempotencyKey === undefined ? offer : null);
  if (!checked.ok) return invalid(ctx, checked.errors);
  const { effectiveAtMs } = body.value;
  const command: UnstampedCommand = {
    type: 'set_rule_set',
    merchantId: target.merchantId,
    offerId: target.offerId,
    ruleSet: body.value.ruleSet,
    ...(effectiveAtMs !== undefined ? { effectiveAtMs } : {}),
    ...key.value,
  };
  const { result } = await runCommand(ctx, command);
  if (!result.ok) return result.code === 'invalid_settings' ? invalidBody(result.message, errorsFromMessage(result.message)) : errorReply(result.code, result.message);
  return {
    status: 200,
    body: { offerId: target.offerId, ruleSetVersion: result.ruleSetVersion, effectiveAtMs: result.effectiveAtMs, offer: ctx.engine.offer(target.offerId) },
  };
}

function ruleSets(ctx: GatewayContext, request: RequestData): Reply {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const offer = ctx.engine.offer(target.offerId);
  if (!offer) return refusal(ctx, 'unknown_offer', `No offer "${target.offerId}".`);
  return {
    status: 200,
    body: {
      offerId: target.offerId,
      inForce: offer.ruleSetVersion,
      pending: offer.pendingRuleSet,
      versions: ctx.engine.ruleSetHistory(target.offerId),
      serverTimeMs: ctx.clock(),
    },
  };
}

async function priceHistory(ctx: GatewayContext, request: RequestData): Promise<Reply> {
  const target = merchantTarget(ctx, request);
  if (!target.ok) return target.reply;
  const query = validate(HistoryQuery, Object.fromEntries(new URLSearchParams(request.query)));
  if (!query.ok) return query.reply;
  const offer = ctx.engine.offer(target.offerId);
  if (!offer) return refusal(ctx, 'unknown_offer', `No offer "${target.offerId}".`);
  const all = ctx.engine.priceHistory(target.offerId);
  const limit = query.value.limit ?? PRICING_API_LIMITS.historyPointsDefault;
  const points = all.slice(Math.max(0, all.length - limit));
  // The engine keeps each point's price and version, not its explanation (that went out on `price_changed`); the
  // price in force now is explained by a quote, the same one a shopper opening a group would get.
  const { result } = await runCommand(ctx, { type: 'quote', offerId: target.offerId, asLeader: false, newcomer: false });
  const current = result.ok && result.quote ? { quote: result.quote } : null;
  return { status: 200, body: { offerId: target.offerId, priceMinor: offer.priceMinor, points, truncated: points.length < all.length, current, serverTimeMs: ctx.clock() } };
}

function preview(ctx: GatewayContext, request: RequestData): Reply {
  const merchant = merchantOf(ctx, request);
  if (!merchant.ok) return merchant.reply;
  // Pure evaluation on the request's own data: nothing is sequenced, journaled or published.
  const ran = runPreviewRequest(request.body ?? {});
  if (!ran.ok) return invalid(ctx, ran.errors);
  const lines = explanationLines(ran.answer);
  if (lines > PRICING_API_LIMITS.previewExplanationLinesMax) {
    return invalid(ctx, [
      {
        path: 'explain',
        message: `this preview would return ${lines} explanation lines, over the ${PRICING_API_LIMITS.previewExplanationLinesMax} allowed; sample less often or send "explain": "changes" or "none"`,
      },
    ]);
  }
  return { status: 200, body: ran.answer };
}

function explanationLines(answer: PreviewAnswer): number {
  if (answer.type === 'context') return answer.evaluation.explanation.length;
  let lines = 0;
  for (const point of answer.preview.points) lines += point.explanation?.length ?? 0;
  return lines;
}

/** The rule set as parsed, or every problem with it; against an offer also its currency and version. */
function checkRuleSet(input: unknown, offer: OfferView | null): { ok: true; ruleSet: RuleSet } | { ok: false; errors: RuleSetError[] } {
  const parsed = parseRuleSet(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((error) => ({ path: error.path === '' ? 'ruleSet' : `ruleSet.${error.path}`, message: error.message })) };
  if (offer === null) return parsed;
  const errors: RuleSetError[] = [];
  if (parsed.ruleSet.currency !== offer.currency) errors.push({ path: 'ruleSet.currency', message: `must be the offer's currency ${offer.currency}` });
  const latest = Math.max(offer.ruleSetVersion, offer.pendingRuleSet?.version ?? 0);
  if (parsed.ruleSet.version <= latest) errors.push({ path: 'ruleSet.version', message: `must be above ${latest}, the latest version of this offer` });
  return errors.length === 0 ? parsed : { ok: false, errors };
}

function invalid(ctx: GatewayContext, errors: RuleSetError[]): Reply {
  ctx.metrics.rejections.inc({ code: 'invalid_settings' });
  return invalidBody(errors.map((error) => `${error.path || '(body)'}: ${error.message}`).slice(0, 5).join('; '), errors);
}

function invalidBody(message: string, errors: RuleSetError[]): Reply {
  return { status: statusOf('invalid_settings'), body: { error: { code: 'invalid_settings', message, errors } } };
}

/** The engine lists problems as `path: message` joined by `; `; a part without a path is kept whole. */
function errorsFromMessage(message: string): RuleSetError[] {
  return message.split('; ').map((part) => {
    const match = /^([A-Za-z0-9_.]+): ([\s\S]*)$/.exec(part);
    return match ? { path: match[1]!, message: match[2]! } : { path: '', message: part };
  });
}
