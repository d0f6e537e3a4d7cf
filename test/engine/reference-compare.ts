// The engine's output reduced to the reference model's vocabulary (test/engine/reference-model.ts): the fields of a
// result the contract defines, the trace of facts that move money or change a group's life, and the projection of
// state. The differential property test and the fault-injecting simulation both compare through these.
import type { Command, CommandResult, EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import type { Projection, RefResult, TraceRecord } from './reference-model.ts';

export type ToRef = (engineGroupId: string) => string;

/**
 * A mechanism's own events, as its reference model tells them: without the kernel's `stock_changed` and the offer
 * view an `offer_edited` carries (both checked against the engine's state where they are compared).
 */
export function mechanismEvents(events: readonly EngineEvent[]): unknown[] {
  return events
    .filter((event) => event.type !== 'stock_changed')
    .map((event) => {
      if (event.type !== 'offer_edited') return event;
      const { offer: _offer, ...rest } = event;
      return rest;
    });
}

/** The fields of a result the contract defines for each group-buy command. */
export function summarizeResult(cmd: Command, result: CommandResult, toRef: ToRef): RefResult {
  if (!result.ok) return { ok: false, code: result.code };
  const groupId = result.groupId === undefined ? undefined : toRef(result.groupId);
  const unitPriceMinor = result.quote?.unitPriceMinor;
  switch (cmd.type) {
    case 'create_offer':
    case 'edit_offer':
    case 'pause_offer':
    case 'resume_offer':
    case 'close_offer':
      return { ok: true, offerId: result.offerId };
    case 'open_group':
    case 'match_group':
      return { ok: true, offerId: result.offerId, groupId, opened: result.opened, chargedMinor: result.chargedMinor, unitPriceMinor };
    case 'join_group':
      return { ok: true, offerId: result.offerId, groupId, chargedMinor: result.chargedMinor, unitPriceMinor };
    case 'leave_group':
      return { ok: true, offerId: result.offerId, groupId, refundMinor: result.refundMinor };
    case 'quote':
      return { ok: true, offerId: result.offerId, groupId, unitPriceMinor, availableUnits: result.availableUnits };
    case 'tick':
      return { ok: true };
    default:
      // Only commands the reference models are compared; the simulator never sends others in reference mode.
      throw new Error(`the reference model does not model ${cmd.type}`);
  }
}

/** The facts the reference traces, from the engine's events (edits and rule set versions are not in its contract). */
export function traceOf(events: readonly EngineEvent[], toRef: ToRef): TraceRecord[] {
  const trace: TraceRecord[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'offer_created':
      case 'offer_paused':
      case 'offer_resumed':
      case 'offer_retired':
        trace.push({ type: event.type, offerId: event.offerId, atMs: event.atMs });
        break;
      case 'offer_closed':
        trace.push({ type: event.type, offerId: event.offerId, reason: event.reason, atMs: event.atMs });
        break;
      case 'price_changed':
        trace.push({ type: event.type, offerId: event.offerId, priceMinor: event.priceMinor, previousPriceMinor: event.previousPriceMinor, atMs: event.atMs });
        break;
      case 'group_opened':
        trace.push({ type: event.type, groupId: toRef(event.groupId), leaderId: event.leaderId, deadlineMs: event.deadlineMs, atMs: event.atMs });
        break;
      case 'group_joined': {
        const { shopperId, qty, chargedMinor, quotedUnitPriceMinor, size, atMs } = event;
        trace.push({ type: event.type, groupId: toRef(event.groupId), shopperId, qty, chargedMinor, quotedUnitPriceMinor, size, atMs });
        break;
      }
      case 'group_left': {
        const { shopperId, qty, refundMinor, size, atMs } = event;
        trace.push({ type: event.type, groupId: toRef(event.groupId), shopperId, qty, refundMinor, size, atMs });
        break;
      }
      case 'group_formed':
        trace.push({ type: event.type, groupId: toRef(event.groupId), size: event.size, atMs: event.atMs });
        break;
      case 'group_completed': {
        const { size, autoFilledSeats, reason, atMs } = event;
        trace.push({ type: event.type, groupId: toRef(event.groupId), size, autoFilledSeats, reason, members: event.members.map((m) => ({ ...m })), atMs });
        break;
      }
      case 'group_failed':
        trace.push({ type: event.type, groupId: toRef(event.groupId), size: event.size, reason: event.reason, refunds: event.refunds.map((r) => ({ ...r })), atMs: event.atMs });
        break;
      default:
        break; // offer_edited, rule_set_activated and other mechanisms' events are outside the reference's trace
    }
  }
  return trace;
}

function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The state projection the reference model keeps, read from the engine's snapshot. */
export function engineProjection(snapshot: EngineSnapshot, toRef: ToRef): Projection {
  return {
    nowMs: snapshot.nowMs,
    offers: snapshot.offers.map((offer) => ({
      offerId: offer.id,
      status: offer.status,
      inventory: offer.inventory,
      heldUnits: offer.heldUnits,
      soldUnits: offer.soldUnits,
      basePriceMinor: offer.basePriceMinor,
      perShopperLimit: offer.perShopperLimit,
      endMs: offer.endMs,
      unitsByShopper: [...offer.unitsByShopper].sort(byString(([shopperId]) => shopperId)),
    })),
    liveGroups: snapshot.mechanisms.group.groups.map((group) => ({
      groupId: toRef(group.id),
      offerId: group.offerId,
      status: group.status,
      leaderId: group.leaderId,
      deadlineMs: group.deadlineMs,
      members: group.members.map((m) => ({ shopperId: m.shopperId, qty: m.qty, quotedUnitPriceMinor: m.quotedUnitPriceMinor, chargedMinor: m.chargedMinor })),
    })),
    settledGroups: snapshot.mechanisms.group.settled.map((settled) => ({
      groupId: toRef(settled.id),
      offerId: settled.offerId,
      status: settled.status,
      reason: settled.reason,
      size: settled.size,
    })),
  };
}
