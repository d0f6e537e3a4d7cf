// In-process mode: the real engine on a simulated clock. The clock jumps from task to task (arrivals, patience
// timers, invited friends, and a tick at each of the engine's deadlines), so a simulated day takes as long as its
// commands take to apply. Nothing reads the wall clock or Math.random: the same scenario and seed give the same
// commands, the same engine state hash and the same report, byte for byte.
import { Engine, type Command, type CommandResult, type EngineEvent } from '../../engine/index.ts';
import { scheduleArrivals } from '../arrival-schedule.ts';
import { createBehaviour, type ShopperHost, type Outcome, type ShopperCommand, type SimShopper } from '../behaviours/index.ts';
import { EventQueue } from '../event-queue.ts';
import { MetricsCollector, type RunMetrics } from '../metrics/collector.ts';
import { observationsFromEngineEvent, type Observation } from '../observations.ts';
import { ScenarioError } from '../scenario-load.ts';
import type { Scenario } from '../scenario-schema.ts';
import { createOfferFields, expectedSpanMs } from '../timeline.ts';
import { unreachable } from '../unreachable.ts';

export const SIM_MERCHANT_ID = 'sim-merchant';
/** Tasks between two progress reports: often enough for a smooth bar, rare enough to cost nothing. */
const PROGRESS_EVERY_TASKS = 4_096;

export interface InProcessOptions {
  /** Called now and then with the share of simulated time done (0…1). */
  onProgress?: (fraction: number) => void;
  /** Every engine event, in order: for tests and custom analyses. */
  onEngineEvents?: (events: readonly EngineEvent[]) => void;
}

export interface EngineSummary {
  /** FNV-1a 64 of the engine's final state: two runs that agree on it made the same market. */
  stateHash: string;
  invariantViolations: string[];
  commandsApplied: number;
  /** Engine events (null in a live run: the server does not report them). */
  eventsEmitted: number | null;
}

export interface Timeline {
  startMs: number;
  arrivalsEndMs: number;
  endedAtMs: number;
  simulatedMs: number;
  /** `settled`: every group settled by itself; `offers_closed`: end.policy closed them; `drain_limit`: end.drainMax ran out and closed them. */
  endedBy: 'settled' | 'offers_closed' | 'drain_limit' | 'wall_time_limit';
}

export interface VariantRun {
  timeline: Timeline;
  metrics: RunMetrics;
  engine: EngineSummary | null;
}

export function runInProcess(scenario: Scenario, options: InProcessOptions = {}): VariantRun {
  const engine = new Engine();
  const queue = new EventQueue();
  const startMs = scenario.startAt;
  const arrivalsEndMs = startMs + scenario.duration;
  const spanMs = expectedSpanMs(scenario);
  const collector = new MetricsCollector({
    startMs,
    expectedSpanMs: spanMs,
    seriesPoints: scenario.report.seriesPoints,
    fillCurves: scenario.report.fillCurves,
    currency: scenario.offers[0]!.currency,
    offers: scenario.offers,
    mechanism: scenario.behaviour.mechanism,
  });
  let nowMs = startMs;
  let commandsApplied = 0;
  let eventsEmitted = 0;
  let admitted = 0;
  /** Arrivals and behaviour timers still waiting; ticks are not counted (the engine may want them forever). */
  let pendingWork = 0;
  const observations: Observation[] = [];

  function apply(command: Command): CommandResult {
    const applied = engine.apply(command);
    commandsApplied++;
    eventsEmitted += applied.events.length;
    if (applied.events.length > 0) {
      options.onEngineEvents?.(applied.events);
      observations.length = 0;
      for (const event of applied.events) observationsFromEngineEvent(event, observations);
      // Copied: observing may send commands, which refill the shared buffer.
      for (const observation of [...observations]) host.observe(observation);
    }
    return applied.result;
  }

  const host: ShopperHost = {
    get nowMs() {
      return nowMs;
    },
    send(shopper, command, then) {
      then(outcomeOf(apply(engineCommand(shopper, command, nowMs))));
    },
    after(delayMs, task) {
      let state: 'waiting' | 'ran' | 'cancelled' = 'waiting';
      pendingWork++;
      queue.schedule(nowMs + Math.max(0, Math.round(delayMs)), () => {
        if (state !== 'waiting') return;
        state = 'ran';
        pendingWork--;
        task();
      });
      return () => {
        if (state !== 'waiting') return;
        state = 'cancelled';
        pendingWork--;
      };
    },
    observe(observation) {
      collector.observe(observation);
      behaviour.onObservation(observation);
    },
    finished() {},
    admitShopper() {
      if (admitted >= scenario.shoppers.max) return false;
      admitted++;
      return true;
    },
  };
  const behaviour = createBehaviour(scenario, host);

  scenario.offers.forEach((spec, i) => {
    const result = apply({ type: 'create_offer', nowMs, merchantId: SIM_MERCHANT_ID, ...createOfferFields(spec, startMs) } as Command);
    if (!result.ok) throw new ScenarioError(scenario.name, [`offers.${i}: the engine refused it: ${result.code}: ${result.message}`]);
    collector.initialPrice(spec.id, engine.offer(spec.id)!.priceMinor, nowMs);
  });

  scheduleArrivals(scenario, { scheduleWork: (atMs, task) => host.after(atMs - nowMs, task) }, (index) => behaviour.arrive(index));

  let tickAtMs: number | null = null;
  const armTick = () => {
    const next = engine.nextDeadlineMs();
    if (next === null || (tickAtMs !== null && tickAtMs <= next)) return;
    tickAtMs = next;
    queue.schedule(Math.max(next, nowMs), () => {
      if (tickAtMs === next) tickAtMs = null;
      apply({ type: 'tick', nowMs });
    });
  };
  const closeOffers = () => {
    for (const offer of scenario.offers) apply({ type: 'close_offer', nowMs, merchantId: SIM_MERCHANT_ID, offerId: offer.id });
  };

  const drainEndMs = arrivalsEndMs + scenario.end.drainMax;
  let endedBy: Timeline['endedBy'] = 'settled';
  let tasks = 0;
  for (;;) {
    armTick();
    const nextAtMs = queue.peekAtMs();
    if (scenario.end.policy === 'close_offers' && (nextAtMs === null || nextAtMs >= arrivalsEndMs)) {
      nowMs = Math.max(nowMs, arrivalsEndMs);
      closeOffers();
      endedBy = 'offers_closed';
      break;
    }
    // Done when no arrival or shopper task is left and nothing waits to settle by itself (a group for its deadline,
    // an auction for its end, a hold for its answer).
    if (nextAtMs === null || (pendingWork === 0 && collector.pendingSettlements === 0)) break;
    if (nextAtMs > drainEndMs) {
      nowMs = Math.max(nowMs, drainEndMs);
      closeOffers();
      endedBy = 'drain_limit';
      break;
    }
    const task = queue.pop()!;
    if (task.atMs > nowMs) nowMs = task.atMs;
    task.run();
    if (++tasks % PROGRESS_EVERY_TASKS === 0) options.onProgress?.(Math.min(1, (nowMs - startMs) / Math.max(1, spanMs)));
  }
  options.onProgress?.(1);

  return {
    timeline: { startMs, arrivalsEndMs, endedAtMs: nowMs, simulatedMs: nowMs - startMs, endedBy },
    metrics: collector.result(nowMs),
    engine: { stateHash: engine.stateHash(), invariantViolations: engine.checkInvariants(), commandsApplied, eventsEmitted },
  };
}

/**
 * The engine command for a shopper's request: the host adds who asks, what the platform vouches for them and when,
 * as the gateway does from the token. Every field the engine's schema defaults is given: `apply` takes commands as
 * parsed, not raw.
 */
export function engineCommand(shopper: SimShopper, command: ShopperCommand, nowMs: number): Command {
  const who = { shopperId: shopper.id, newcomer: shopper.newcomer };
  const exposure = shopper.exposureLimitMinor !== undefined ? { exposureLimitMinor: shopper.exposureLimitMinor } : {};
  const owner = { nowMs, shopperId: shopper.id, offerId: command.offerId };
  switch (command.type) {
    case 'quote':
      return { type: 'quote', nowMs, offerId: command.offerId, asLeader: command.asLeader, newcomer: shopper.newcomer, ...(command.groupId !== undefined ? { groupId: command.groupId } : {}) };
    case 'match_group':
      return { type: 'match_group', nowMs, ...who, offerId: command.offerId, qty: command.qty };
    case 'open_group':
      return { type: 'open_group', nowMs, ...who, offerId: command.offerId, qty: command.qty };
    case 'join_group':
      return { type: 'join_group', nowMs, ...who, groupId: command.groupId, qty: command.qty };
    case 'leave_group':
      return { type: 'leave_group', nowMs, shopperId: shopper.id, groupId: command.groupId };
    case 'place_bid':
      return { type: 'place_bid', nowMs, ...who, ...exposure, offerId: command.offerId, maxBidMinor: command.maxBidMinor, qty: command.qty };
    case 'buy_now':
    case 'accept_price':
      return { type: command.type, nowMs, ...who, ...exposure, offerId: command.offerId };
    case 'join_queue':
      return {
        type: 'join_queue',
        nowMs,
        ...who,
        offerId: command.offerId,
        priorityClass: shopper.priorityClass ?? 0,
        ...(shopper.creditScore !== undefined ? { creditScore: shopper.creditScore } : {}),
      };
    case 'leave_queue':
      return { type: 'leave_queue', ...owner };
    case 'confirm_hold':
    case 'release_hold':
      return { type: command.type, ...owner, holdId: command.holdId };
    case 'return_unit':
      return { type: 'return_unit', ...owner, rentalId: command.rentalId };
    default:
      return unreachable(command);
  }
}

function outcomeOf(result: CommandResult): Outcome {
  if (!result.ok) return { ok: false, code: result.code, groupId: null, opened: null, unitPriceMinor: null, auction: null, reservation: null };
  const a = result.auction;
  const r = result.reservation;
  return {
    ok: true,
    code: null,
    groupId: result.groupId ?? null,
    opened: result.opened ?? null,
    unitPriceMinor: result.quote?.unitPriceMinor ?? null,
    auction: a ? { leading: a.leading, priceMinor: a.priceMinor, closed: a.closed, endMs: a.endMs } : null,
    reservation: r ? { holdId: r.holdId ?? null, expiresAtMs: r.expiresAtMs ?? null, rentalId: r.rentalId ?? null, position: r.position ?? null } : null,
  };
}
