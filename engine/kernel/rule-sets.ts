// Merchant rule sets on offers: validated when a command carries one, versioned (each new version is above every
// version the offer has had or has waiting), and put in force now or at a later moment (a `rule_set` deadline).
import { parseRuleSet, type RuleSet } from '../../pricing/index.ts';
import type { CommandOf } from '../commands.ts';
import { isRejection, reject, type CommandResult, type Rejection } from '../results.ts';
import type { Ctx } from './context.ts';
import { putInForce, versionInForce } from './pricing-bridge.ts';
import { ownedOffer } from './sellable.ts';
import type { Offer } from './state.ts';

/** How many validation problems a refusal lists; the merchant fixes those and tries again. */
const ERRORS_IN_MESSAGE = 5;

/** A merchant's rule set for an offer in `currency`, or `invalid_settings` naming each field that is wrong. */
export function parseOfferRuleSet(input: unknown, currency: string): RuleSet | Rejection {
  const parsed = parseRuleSet(input);
  if (!parsed.ok) {
    const problems = parsed.errors.slice(0, ERRORS_IN_MESSAGE).map((error) => `ruleSet${error.path ? `.${error.path}` : ''}: ${error.message}`);
    return reject('invalid_settings', problems.join('; '));
  }
  if (parsed.ruleSet.currency !== currency) return reject('invalid_settings', `ruleSet.currency: must be the offer's currency ${currency}`);
  return parsed.ruleSet;
}

/** The highest version the offer has in force or waiting: a new one must be above it. */
function latestVersion(offer: Offer): number {
  return Math.max(versionInForce(offer).version, offer.pricing.pending?.ruleSet.version ?? 0);
}

/**
 * `set_rule_set`: checks in order — `unknown_offer`/`not_owner`, `offer_closed`, the rule set itself, its version,
 * its effective time — then puts it in force now, or schedules it (replacing a version still waiting).
 */
export function setRuleSet(ctx: Ctx, cmd: CommandOf<'set_rule_set'>): CommandResult {
  const offer = ownedOffer(ctx, cmd.merchantId, cmd.offerId);
  if (isRejection(offer)) return offer;
  if (offer.status === 'closed') return reject('offer_closed', `Offer "${offer.id}" is closed; closed offers cannot change.`);
  const ruleSet = parseOfferRuleSet(cmd.ruleSet, offer.currency);
  if (isRejection(ruleSet)) return ruleSet;
  const latest = latestVersion(offer);
  if (ruleSet.version <= latest) return reject('invalid_settings', `ruleSet.version: must be above ${latest}, the latest version of this offer`);
  const effectiveAtMs = Math.max(ctx.nowMs, cmd.effectiveAtMs ?? ctx.nowMs);
  if (offer.endMs !== null && effectiveAtMs >= offer.endMs) {
    return reject('invalid_settings', `effectiveAtMs: the offer ends at ${offer.endMs}, before this rule set would take effect`);
  }
  if (effectiveAtMs === ctx.nowMs) {
    offer.pricing.pending = null;
    putInForce(ctx, offer, ruleSet, 'merchant', ctx.nowMs);
  } else {
    offer.pricing.pending = { ruleSet, effectiveAtMs };
    ctx.state.deadlines.push({ atMs: effectiveAtMs, kind: 'rule_set', id: offer.id, order: offer.createdSerial });
  }
  return { ok: true, offerId: offer.id, ruleSetVersion: ruleSet.version, effectiveAtMs };
}

/** A scheduled rule set's moment has come (called from the deadline queue). */
export function activatePendingRuleSet(ctx: Ctx, offer: Offer, atMs: number): void {
  const pending = offer.pricing.pending;
  if (pending === null) return;
  offer.pricing.pending = null;
  putInForce(ctx, offer, pending.ruleSet, 'merchant', atMs);
}
