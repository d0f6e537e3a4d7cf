// Everything the socket and HTTP handlers share, built once by `startServer`. Handlers read the engine through
// its views (synchronous, consistent between two commands) and change it only through the sequencer.
import type { Logger } from 'pino';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Engine } from '../engine/index.ts';
import type { ChannelRegistry } from './channels.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayEffects } from '../runtime/effects-runtime.ts';
import type { MerchantKeyring } from './merchant-keys.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { Outcome, Sequencer, UnstampedCommand } from '../runtime/sequencer.ts';
import type { KeyedRateLimiter } from './rate-limiter.ts';
import type { ChannelWatchers } from './watchers.ts';
import type { ErrorCode, GatewayRejection } from './protocol.ts';

export interface GatewayContext {
  config: GatewayConfig;
  app: TemplatedApp;
  engine: Engine;
  sequencer: Sequencer;
  channels: ChannelRegistry;
  /** The sockets watching each channel (for the send-buffer check after each publish). */
  watchers: ChannelWatchers;
  keyring: MerchantKeyring;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: () => number;
  limiters: { shopper: KeyedRateLimiter; merchant: KeyedRateLimiter; public: KeyedRateLimiter };
  /** Orders, payments, webhooks and dead letters; null without Redis (effects off). */
  effects: GatewayEffects | null;
  /** True once shutdown began: new connections and requests are turned away. */
  shuttingDown: boolean;
}

/** Submits a command through the sequencer and counts refusals by code. */
export async function runCommand(ctx: GatewayContext, command: UnstampedCommand): Promise<Outcome> {
  const outcome = await ctx.sequencer.submit(command);
  if (!outcome.result.ok) ctx.metrics.rejections.inc({ code: outcome.result.code });
  return outcome;
}

/** A refusal decided by the gateway itself, counted like the engine's. */
export function refuse(ctx: GatewayContext, code: ErrorCode, message: string): GatewayRejection {
  ctx.metrics.rejections.inc({ code });
  return { ok: false, code, message };
}

/**
 * Why a merchant may not act on or read an offer, or null. Checked before anything is sequenced; the engine
 * checks ownership again (`not_owner`) on every merchant command, so this is a second lock, not the only one.
 * An offer's merchant never changes, so reading it outside the sequencer is safe.
 */
export function ownershipProblem(ctx: GatewayContext, merchantId: string, offerId: string): GatewayRejection | null {
  const offer = ctx.engine.offer(offerId);
  if (offer && offer.merchantId !== merchantId) return refuse(ctx, 'forbidden', `Offer "${offerId}" belongs to another merchant.`);
  return null;
}
