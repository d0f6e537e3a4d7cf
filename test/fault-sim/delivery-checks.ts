// The checks after every delivery of a valid command, whatever fault brought it:
// - it is accepted or refused with a business code, never `bad_request` (the generators only make valid commands);
// - the engine's clock is max(its clock, the command's nowMs): a late delivery never moves time back;
// - reference seeds: result, events, state projection and next deadline agree with the reference model;
// - auction and reservation offers a per-offer model follows: outcomes, events, views and deadlines agree with it;
// - the invariants hold, and the next deadline is a time a tick can carry;
// - a keyed command the engine still remembers gets exactly (canonical JSON) the first answer, a reused key gets
//   `idempotency_key_reused`;
// - a command that can change nothing — a quote or tick at or before the engine's clock, a keyed replay, any
//   refusal — emits nothing and leaves the state as it was, when no time passes with it;
// - events come in time order, between the engine's clock and the command's time;
// - a quote's explanation sums to its price and a charge is price × qty; money adds up across events, and what the
//   events leave open (auctions, holds, deposits) is what the engine's state holds;
// then it is journaled (unless it is a read at the engine's clock, which the sequencer does not journal either).
import { canonicalJson, LIMITS, READ_ONLY_COMMANDS, type Command, type CommandResult, type EngineSnapshot } from '../../engine/index.ts';
import { CheckFailure, expectSame, expectTrue } from './check-failure.ts';
import type { DurableStore } from './durability/durable-store.ts';
import type { SimEngine } from './engine-port.ts';
import type { IdempotencyMirror, KeyExpectation } from './idempotency-mirror.ts';
import type { MarketKnowledge } from './knowledge.ts';
import type { MoneyLedger } from './money-ledger.ts';
import type { OfferReferences } from './offer-references.ts';
import type { ReferenceCheck } from './reference-check.ts';

export interface DeliveryState {
  readonly engine: SimEngine;
  readonly reference: ReferenceCheck | null;
  readonly offerReferences: OfferReferences;
  readonly mirror: IdempotencyMirror;
  readonly ledger: MoneyLedger;
  readonly knowledge: MarketKnowledge;
  readonly store: DurableStore;
  /**
   * The engine's snapshot after the last delivery (nothing changes the engine between deliveries), so the state
   * before a command needs no snapshot of its own; null when unknown (the run just started or the engine was restored).
   */
  lastSnapshot: EngineSnapshot | null;
  count(what: string): void;
}

/**
 * The state without idempotency keys that have outlived their TTL at the engine's clock: the engine drops those
 * lazily, whenever a keyed command looks its key up, and dropping them is housekeeping, not a change.
 */
export function observableState(snapshot: EngineSnapshot): EngineSnapshot {
  const ttl = snapshot.config.idempotencyTtlMs;
  return { ...snapshot, idempotency: snapshot.idempotency.filter(([, entry]) => entry.atMs + ttl > snapshot.nowMs) };
}

export function checkDelivery(state: DeliveryState, cmd: Command, what: string): void {
  const { engine } = state;
  const clockBefore = engine.nowMs;
  const runsAtMs = Math.max(clockBefore, cmd.nowMs);
  const expectation = state.mirror.expect(cmd, runsAtMs);
  const readOnly = READ_ONLY_COMMANDS.has(cmd.type);
  const noTimePasses = cmd.nowMs <= clockBefore;
  const stateBefore = noTimePasses ? observableState(state.lastSnapshot ?? engine.snapshot()) : null;

  // Through `submit`, the validating path the gateway uses: a generated command the schema refuses shows up.
  const applied = engine.submit(cmd);
  const { result } = applied;
  if (!result.ok && result.code === 'bad_request') throw new CheckFailure('a generated command was refused as bad_request', result.message);
  expectTrue('time never runs backwards', engine.nowMs === runsAtMs, () => `clock was ${clockBefore}, command at ${cmd.nowMs}, clock now ${engine.nowMs}`);

  // One snapshot after the command serves the reference's projection, the check that nothing changed, and the
  // same check for the next command.
  const snapshotAfter = engine.snapshot();
  state.lastSnapshot = snapshotAfter;
  if (state.reference !== null) {
    const expected = state.reference.check(cmd, applied, engine, snapshotAfter);
    expectTrue('idempotency: the simulator and the reference disagree on a replay', expected.replayed === (expectation.kind === 'replay'), () => `reference replayed: ${expected.replayed}, simulator expected ${expectation.kind}`);
  }
  state.offerReferences.check(cmd, applied, expectation, clockBefore, engine, snapshotAfter);
  const violations = engine.checkInvariants();
  if (violations.length > 0) throw new CheckFailure('invariants', violations.join('; '));
  const nextDeadlineMs = engine.nextDeadlineMs();
  expectTrue('the next deadline is a time a tick can carry', nextDeadlineMs === null || nextDeadlineMs <= LIMITS.timeMsMax, () => `next deadline ${nextDeadlineMs}, LIMITS.timeMsMax ${LIMITS.timeMsMax}`);
  checkIdempotency(expectation, result);
  if (stateBefore !== null && (readOnly || cmd.type === 'tick' || expectation.kind === 'replay' || !result.ok)) {
    expectSame('a command that can change nothing emitted events', applied.events.map((event) => event.type), []);
    expectSame('a command that can change nothing changed the state', observableState(snapshotAfter), stateBefore);
  }
  checkEventTimes(applied.events, clockBefore, runsAtMs);
  checkQuote(cmd, result);
  state.ledger.record(applied.events);
  state.ledger.checkState(snapshotAfter);

  if (!(readOnly && noTimePasses)) state.store.record(cmd);
  state.knowledge.observe(cmd, applied);
  state.mirror.settle(expectation, result, runsAtMs);
  countOutcome(state, cmd, what, expectation, applied.events, result, cmd.nowMs < clockBefore);
}

function checkIdempotency(expectation: KeyExpectation, result: CommandResult): void {
  if (expectation.kind === 'replay') expectSame('a keyed duplicate must get exactly the first answer', result, expectation.first);
  if (expectation.kind === 'reused') {
    expectTrue('a key reused for another command must be refused', !result.ok && result.code === 'idempotency_key_reused', () => canonicalJson(result));
  }
}

/**
 * Events happen in time order, never before the engine's clock (what was due by then settled earlier) nor after
 * the time the command runs at: deadlines settle each at its own time, then the command's own facts.
 */
function checkEventTimes(events: readonly { type: string; atMs?: number }[], clockBefore: number, runsAtMs: number): void {
  let last = clockBefore;
  for (const event of events) {
    if (event.atMs === undefined) continue;
    const atMs = event.atMs;
    expectTrue('events happen in time order, between the clock and the command’s time', atMs >= last && atMs <= runsAtMs, () => `${event.type} at ${atMs}: clock was ${clockBefore}, previous event at ${last}, command runs at ${runsAtMs}`);
    last = atMs;
  }
}

function checkQuote(cmd: Command, result: CommandResult): void {
  if (!result.ok || result.quote === undefined) return;
  const { explanation, unitPriceMinor } = result.quote;
  const sum = explanation.reduce((total, line) => total + line.deltaMinor, 0);
  expectTrue('quote: the explanation sums to the unit price', sum === unitPriceMinor, () => `${sum} ≠ ${unitPriceMinor}: ${canonicalJson(explanation)}`);
  if (result.chargedMinor !== undefined) {
    // A rental or booking is one unit at the quoted price.
    const qty = 'qty' in cmd ? cmd.qty : 1;
    expectTrue('charge = quote × qty', result.chargedMinor === unitPriceMinor * qty, () => `${result.chargedMinor} ≠ ${unitPriceMinor} × ${qty}`);
  }
}

function countOutcome(
  state: DeliveryState,
  cmd: Command,
  what: string,
  expectation: KeyExpectation,
  events: readonly { type: string; reason?: string }[],
  result: CommandResult,
  late: boolean,
): void {
  state.count(`delivery: ${what}`);
  state.count(result.ok ? `accepted: ${cmd.type}` : `refused: ${result.code}`);
  if (expectation.kind === 'replay') state.count(`keyed duplicate answered from memory: ${cmd.type}`);
  if (late) state.count('late delivery: older nowMs than the engine clock');
  for (const event of events) state.count(event.reason === undefined ? `event: ${event.type}` : `event: ${event.type} (${event.reason})`);
}
