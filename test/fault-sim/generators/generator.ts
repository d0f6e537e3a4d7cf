// The contract between the simulator and its command generators. Each mechanism (group-buys, auctions, reservation
// queues and slots) has its own generator module in this folder, listed in `index.ts`; merchant commands that every
// offer shares (edit, pause, resume, close) and merchant rule sets have theirs too. A generator only drafts
// commands: the simulator stamps their time, idempotency key and delivery, and injects the faults.
import type { Command, OfferPatch } from '../../../engine/index.ts';
import type { IdPools } from '../id-pools.ts';
import type { KnownEngineBug } from '../known-engine-bugs.ts';
import type { MarketKnowledge } from '../knowledge.ts';
import type { Prng } from '../prng.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A command without the fields the simulator stamps on delivery. Drafts spell out every field that has a default
 * (`qty`, `newcomer`, `priorityClass`, `waitlist`, the mechanism's settings…): the simulator fingerprints commands
 * as sent to know which keyed retries the engine must answer from memory, and a default left out would make two
 * equal commands look different.
 */
export type Draft = DistributiveOmit<Command, 'nowMs' | 'idempotencyKey'>;

export interface GenContext {
  rng: Prng;
  ids: IdPools;
  knowledge: MarketKnowledge;
  /** The simulated time the command is drafted at; offsets (an offer's end, a rule set's start) are relative to it. */
  nowMs: number;
  /** Engine bugs found and not fixed yet, which the generators steer around (known-engine-bugs.ts). */
  steerAround: ReadonlySet<KnownEngineBug>;
}

/**
 * How a reference model checks a mechanism's seeds (docs/simulation-testing.md, "Which checks apply where"):
 * - `market`: test/engine/reference-model.ts models the whole market, so a reference-mode seed that only uses this
 *   mechanism runs every command through it (results, events, state projection, next deadline);
 * - `per_offer`: a reference model of one offer (test/engine/auction-reference.ts, reservation-reference.ts)
 *   follows each offer of the mechanism on its own, in every seed, for as long as the offer stays within what the
 *   model covers (offer-references.ts).
 */
export type ReferenceKind = 'market' | 'per_offer';

export interface MechanismGenerator {
  /** The mechanism's `type` in `create_offer` ('group', 'auction', 'reservation'). */
  readonly mechanism: string;
  readonly reference: ReferenceKind;
  /** A `create_offer` of this mechanism under the given ids. */
  createOffer(ctx: GenContext, offerId: string, merchantId: string): Draft;
  /** A shopper's command against this mechanism's offers (aimed with `ctx.knowledge`, sometimes at stray ids). */
  shopperCommand(ctx: GenContext): Draft;
  /** A patch for `edit_offer` on one of this mechanism's offers: mostly fields that apply, sometimes ones that do not. */
  editPatch(ctx: GenContext, offerId: string): OfferPatch;
}

/**
 * An offer id for a shopper command: mostly a known open offer of the mechanism (hot ids first), sometimes a closed
 * one, sometimes any pooled id (unknown offers included). `fits` narrows the known offers (a kind of auction, a mode).
 */
export function offerIdFor(ctx: GenContext, mechanism: string, fits: (offerId: string) => boolean = () => true): string {
  const { rng } = ctx;
  const known = ctx.knowledge.offersOf(mechanism).filter((offer) => fits(offer.offerId));
  const open = known.filter((offer) => !offer.closed);
  const pool = open.length > 0 && rng.chance(0.85) ? open : known;
  if (pool.length === 0 || rng.chance(0.08)) return ctx.ids.offers.pick(rng);
  const hot = pool.filter((offer) => ctx.ids.offers.hotIds().includes(offer.offerId));
  return rng.pick(hot.length > 0 && rng.chance(0.7) ? hot : pool).offerId;
}
