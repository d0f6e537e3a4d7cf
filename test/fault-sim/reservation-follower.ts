// Follows one reservation offer with the naive model of test/engine/reservation-reference.ts. Every delivery the
// engine ran goes to the model too — the commands on this offer that the model decides, and for everything else a
// tick at the same time, since any command first settles what fell due — and the engine must agree on the result,
// on this offer's events (exactly), on the view of every shopper concerned, on the held units and on the deadline.
//
// The model charges one fixed price and knows no rule sets, start times, owners, titles, ends or limits edited: the
// simulator follows only offers created at that price without a rule set, answers `not_owner` and
// `offer_not_started` itself, and stops following an offer when the engine accepts an edit or a rule set the model
// cannot take (docs/simulation-testing.md lists which checks apply where).
import type { Command, CommandOf, CommandResult } from '../../engine/index.ts';
import { mechanismEvents } from '../engine/reference-compare.ts';
import { ReservationReference, type RefSettings } from '../engine/reservation-reference.ts';
import { expectSame } from './check-failure.ts';
import { REFERENCE_PRICE_MINOR } from './generators/index.ts';
import { outcomeOf, targets, type FollowStep, type OfferFollower } from './offer-follower.ts';

type CreateOffer = CommandOf<'create_offer'>;

const MODELLED = new Set<Command['type']>(['pause_offer', 'resume_offer', 'close_offer', 'edit_offer', 'join_queue', 'leave_queue', 'confirm_hold', 'extend_hold', 'release_hold', 'return_unit', 'book_slot', 'cancel_booking']);

/** Why the model cannot follow an offer created by this command, or null when it can. */
export function reservationUnfollowable(create: CreateOffer): string | null {
  if (create.basePriceMinor !== REFERENCE_PRICE_MINOR) return 'price';
  if (create.ruleSet !== undefined) return 'rule set';
  return null;
}

function settingsOf(create: CreateOffer): RefSettings {
  const m = create.mechanism;
  if (m.type !== 'reservation') throw new Error(`${create.offerId} is not a reservation offer`);
  const { mode, holdMs, holdExtensionMs, depositMinor, depositWaiverCreditScore, priorityClasses, agingMs, waitlistMax, slotBufferMs, slotMinMs, slotMaxMs } = m;
  return { mode, holdMs, holdExtensionMs, depositMinor, depositWaiverCreditScore, priorityClasses, agingMs, waitlistMax, slotBufferMs, slotMinMs, slotMaxMs };
}

/** The fields of a result the contract defines: the code, or the reservation ack with what was charged or refunded. */
function summarize(result: CommandResult): unknown {
  if (!result.ok) return { ok: false, code: result.code };
  const out: Record<string, unknown> = { ok: true, ...result.reservation };
  if (result.chargedMinor !== undefined) out.chargedMinor = result.chargedMinor;
  if (result.refundMinor !== undefined) out.refundMinor = result.refundMinor;
  return out;
}

/** The fields an edit touches, sorted. */
function editedFields(patch: CommandOf<'edit_offer'>['patch']): string {
  return Object.keys(patch).filter((key) => patch[key as keyof typeof patch] !== undefined).sort().join(',');
}

export class ReservationFollower implements OfferFollower {
  readonly mechanism = 'reservation';
  private readonly ref: ReservationReference;
  private readonly merchantId: string;
  private readonly startMs: number | null;

  constructor(
    readonly offerId: string,
    create: CreateOffer,
    atMs: number,
  ) {
    this.merchantId = create.merchantId;
    this.startMs = create.startMs ?? null;
    this.ref = new ReservationReference(offerId, settingsOf(create), create.inventory, create.perShopperLimit ?? null, create.endMs ?? null, {
      merchantId: create.merchantId,
      currency: create.currency,
    });
    this.ref.nowMs = atMs;
  }

  nextDeadlineMs(): number | null {
    return this.ref.nextDeadlineMs();
  }

  step({ cmd, applied, fresh, runsAtMs, engine, snapshot, events }: FollowStep): string | null {
    const own = fresh && targets(cmd, this.offerId);
    const decision = own ? this.decide(cmd, runsAtMs) : { run: false, expected: null, ignoreEdited: false };
    const expected = this.ref.apply(decision.run ? cmd : { type: 'tick', nowMs: cmd.nowMs });
    // An accepted change the model cannot take: its events (and everything after) are beyond the model.
    if (own && applied.result.ok && cmd.type === 'set_rule_set') return 'rule set';
    if (own && applied.result.ok && cmd.type === 'edit_offer' && !decision.run && !decision.ignoreEdited) return `edit of ${editedFields(cmd.patch)}`;
    const engineEvents = decision.ignoreEdited && applied.result.ok ? events.filter((event) => event.type !== 'offer_edited') : events;
    if (decision.run) expectSame('reservation: result differs from the reservation reference', summarize(applied.result), expected.result);
    else if (decision.expected !== null) expectSame('reservation: result differs from the reservation reference', outcomeOf(applied), decision.expected);
    expectSame('reservation: events differ from the reservation reference', mechanismEvents(engineEvents), expected.events);

    // Views of everyone the delivery concerned: the command's shopper and each shopper named in the events.
    const shoppers = new Set<string>();
    if (own && 'shopperId' in cmd) shoppers.add(cmd.shopperId);
    for (const event of events) if ('shopperId' in event && typeof event.shopperId === 'string') shoppers.add(event.shopperId);
    for (const shopperId of shoppers) {
      expectSame('reservation: a shopper’s view differs from the reservation reference', engine.reservation(this.offerId, shopperId), this.ref.view(shopperId));
    }
    if (own || events.length > 0) {
      const heldUnits = snapshot.offers.find((offer) => offer.id === this.offerId)?.heldUnits;
      expectSame('reservation: held units differ from the reservation reference', heldUnits, this.ref.heldUnits());
    }
    return null;
  }

  /**
   * How a command on this offer goes to the model: run by it (`run`), or a tick with the outcome the simulator
   * knows itself (`expected`, or null when only the engine's own checks decide it); `ignoreEdited` when an accepted
   * title-only edit's `offer_edited` is the one event the model cannot know.
   */
  private decide(cmd: Command, runsAtMs: number): { run: boolean; expected: string | null; ignoreEdited: boolean } {
    const pass = { run: false, expected: null, ignoreEdited: false };
    if (!MODELLED.has(cmd.type)) return pass;
    if ('merchantId' in cmd) {
      if (cmd.merchantId !== this.merchantId) return { ...pass, expected: 'not_owner' };
      if (cmd.type === 'edit_offer') {
        const fields = editedFields(cmd.patch);
        if (fields === 'title' || fields === '') return { ...pass, expected: this.ref.status === 'closed' ? 'offer_closed' : 'accepted', ignoreEdited: true };
        if (fields !== 'inventory') return pass;
      }
      return { ...pass, run: true };
    }
    const mode = this.ref.s.mode;
    const opens = (cmd.type === 'join_queue' && mode === 'queue') || (cmd.type === 'book_slot' && mode === 'slots');
    if (opens && this.ref.status !== 'closed' && this.startMs !== null && runsAtMs < this.startMs) return { ...pass, expected: 'offer_not_started' };
    return { ...pass, run: true };
  }
}
