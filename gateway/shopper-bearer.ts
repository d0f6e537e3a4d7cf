// Shopper reads over HTTP that may be personal (a quote priced for the shopper, a shopper's own places): an optional
// `Authorization: Bearer <shopper token>`. No header: the anonymous read; a header that is not a valid token: 401.
import type { ShopperClaims } from './shopper-tokens.ts';
import { describeTokenProblem, verifyShopperToken } from './shopper-tokens.ts';
import type { GatewayContext } from './context.ts';
import { refusal, type Reply, type RequestData } from './http-kit.ts';

export function optionalShopper(ctx: GatewayContext, request: RequestData): { ok: true; shopper: ShopperClaims | null } | { ok: false; reply: Reply } {
  if (request.authorization === '') return { ok: true, shopper: null };
  const match = /^Bearer (\S+)$/.exec(request.authorization);
  if (!match) return { ok: false, reply: refusal(ctx, 'unauthorized', 'Send "Authorization: Bearer <shopper token>", or no Authorization for the anonymous read.') };
  const check = verifyShopperToken(ctx.config.tokenSecret, match[1]!, ctx.clock(), ctx.config.tokenPolicy);
  if (!check.ok) return { ok: false, reply: refusal(ctx, 'unauthorized', describeTokenProblem(check.reason)) };
  return { ok: true, shopper: check.claims };
}
