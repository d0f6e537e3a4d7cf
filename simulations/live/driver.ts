// Live mode: the scenario's shoppers as real WebSocket clients against a running server on loopback. The
// scenario's simulated timeline plays at `live.timeScale` simulated ms per real ms, on the same agenda and with
// the same behaviour code as in-process. A merchant connection lists the offers (ids suffixed per run) and closes
// them at the end; watchers of each offer channel record the public facts and delivery latency; each active
// shopper holds its own connection. Bounded in connections, command rate and wall time, it stops by itself.
import type { Scenario } from '../scenario-schema.ts';
import { createBehaviour, type ShopperHost, type Behaviour, type Outcome, type ShopperCommand } from '../behaviours/index.ts';
import { scheduleArrivals } from '../arrival-schedule.ts';
import { EventQueue } from '../event-queue.ts';
import type { Timeline } from '../in-process/driver.ts';
import { MetricsCollector } from '../metrics/collector.ts';
import type { Observation } from '../observations.ts';
import type { LiveFacts, VariantReport } from '../report/report.ts';
import { createOfferFields, expectedSpanMs } from '../timeline.ts';
import { unreachable } from '../unreachable.ts';
import { observePublicEvent, type IdMap } from './deltas.ts';
import { LiveLatency } from './latency.ts';
import { Pacer } from './pacer.ts';
import { scaleOfferFields, toSimMs, type TimeMap } from './scale.ts';
import { ShopperPool } from './shopper-pool.ts';
import { openTarget, type LiveTargetOptions } from './target.ts';
import { WsClient, type Answer } from './ws-client.ts';

export type { LiveTargetOptions } from './target.ts';

export interface LiveRunOptions extends LiveTargetOptions {
  onProgress?: (fraction: number) => void;
  /** Part of the per-run id suffix (the variant's name). */
  variantTag?: string;
}

type LiveRun = Omit<VariantReport, 'name' | 'description'>;

const CHECK_EVERY_MS = 50;
const WARNINGS_MAX = 20;

export async function runLive(scenario: Scenario, options: LiveRunOptions = {}): Promise<LiveRun> {
  const live = scenario.live;
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < WARNINGS_MAX && !warnings.includes(message)) warnings.push(message);
  };
  const watcherCount = scenario.offers.length * live.watchers;
  const target = await openTarget(options, live.maxConnections);
  const sockets: WsClient[] = [];
  let pool: ShopperPool | null = null;
  const pacer = new Pacer(live.maxCommandsPerS);
  try {
    const tag = `${(options.variantTag ?? 'run').replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}${Date.now().toString(36)}`;
    const liveOfferIds = new Map(scenario.offers.map((offer) => [offer.id, `${offer.id}-${tag}`]));
    const simOfferIds = new Map([...liveOfferIds].map(([sim, liveId]) => [liveId, sim]));
    const shopperPrefix = `${tag}-`;
    const merchant = await WsClient.connect(target.wsUrl, live.requestTimeout);
    sockets.push(merchant);
    await merchant.must({ type: 'authenticate', apiKey: target.merchantKey }, 'authenticating the merchant');

    const wallStartMs = Date.now();
    const perfStartMs = performance.now();
    const map: TimeMap = { timeScale: live.timeScale, simStartMs: scenario.startAt, realStartMs: wallStartMs + merchant.clockOffsetMs };
    const simNow = () => Math.round(scenario.startAt + (performance.now() - perfStartMs) * live.timeScale);
    const ids: IdMap = {
      offerFromLive: (liveId) => simOfferIds.get(liveId) ?? null,
      shopperFromLive: (liveId) => (liveId.startsWith(shopperPrefix) ? liveId.slice(shopperPrefix.length) : null),
      simMs: (serverMs) => toSimMs(map, serverMs),
    };
    for (const spec of scenario.offers) {
      const fields = scaleOfferFields(createOfferFields(spec, scenario.startAt), map, liveOfferIds.get(spec.id)!, warnings);
      await merchant.must({ type: 'create_offer', ...fields }, `creating offer ${spec.id}`);
    }

    const spanMs = expectedSpanMs(scenario);
    const collector = new MetricsCollector({
      startMs: scenario.startAt,
      expectedSpanMs: spanMs,
      seriesPoints: scenario.report.seriesPoints,
      fillCurves: scenario.report.fillCurves,
      currency: scenario.offers[0]!.currency,
      offers: scenario.offers,
      mechanism: scenario.behaviour.mechanism,
    });
    const latency = new LiveLatency();
    let deltasReceived = 0;
    // Watchers may hear a price change before the shoppers exist; the behaviour sees what comes after.
    let behaviour: Behaviour | null = null;
    const observe = (observation: Observation) => {
      collector.observe(observation);
      behaviour?.onObservation(observation);
    };

    // Watchers: the first of each offer records the public facts; all of them measure delivery.
    for (const spec of scenario.offers) {
      for (let w = 0; w < live.watchers; w++) {
        const watcher = await WsClient.connect(target.wsUrl, live.requestTimeout);
        sockets.push(watcher);
        const buffer: Observation[] = [];
        watcher.onPush((message) => {
          if (message.type !== 'delta') return;
          deltasReceived++;
          const event = message.event as Record<string, unknown>;
          latency.onWatcherDelta(event, performance.now(), Date.now(), watcher.clockOffsetMs, w);
          if (w !== 0) return;
          buffer.length = 0;
          observePublicEvent(event, ids, buffer);
          for (const observation of [...buffer]) observe(observation);
        });
        const subscribed = await watcher.must({ type: 'subscribe', channel: `offer:${liveOfferIds.get(spec.id)!}` }, `watching offer ${spec.id}`);
        const snapshot = subscribed.snapshot as { offer?: { priceMinor?: number } } | undefined;
        if (w === 0 && typeof snapshot?.offer?.priceMinor === 'number') collector.initialPrice(spec.id, snapshot.offer.priceMinor, simNow());
      }
    }

    const activePool = new ShopperPool({
      target,
      slots: Math.max(1, live.maxConnections - watcherCount - 1),
      requestTimeoutMs: live.requestTimeout,
      pacer,
      latency,
      ids,
      liveShopperId: (simId) => `${shopperPrefix}${simId}`,
      observe,
      warn,
    });
    pool = activePool;

    const queue = new EventQueue();
    let pendingWork = 0;
    let admitted = 0;
    let timer: NodeJS.Timeout | null = null;
    let timerAtMs = Number.POSITIVE_INFINITY;
    let stopping = false;
    const pump = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      timerAtMs = Number.POSITIVE_INFINITY;
      // The clock is read again after each task: a run that fell behind catches up here, not one timer at a time.
      while (!stopping && (queue.peekAtMs() ?? Number.POSITIVE_INFINITY) <= simNow()) queue.pop()!.run();
      rearm();
    };
    const rearm = () => {
      const next = queue.peekAtMs();
      if (stopping || next === null || next >= timerAtMs) return;
      if (timer) clearTimeout(timer);
      timerAtMs = next;
      timer = setTimeout(pump, Math.max(0, (next - simNow()) / live.timeScale));
    };
    /** Arrivals keep their own times even when the run is behind, so they stay in order and none is lost. */
    const scheduleWork = (atMs: number, task: () => void): (() => void) => {
      let state: 'waiting' | 'ran' | 'cancelled' = 'waiting';
      pendingWork++;
      queue.schedule(atMs, () => {
        if (state !== 'waiting') return;
        state = 'ran';
        pendingWork--;
        task();
      });
      rearm();
      return () => {
        if (state !== 'waiting') return;
        state = 'cancelled';
        pendingWork--;
      };
    };
    const host: ShopperHost = {
      get nowMs() {
        return simNow();
      },
      send(shopper, command, then) {
        activePool.send(shopper, liveMessage(command, liveOfferIds), (answer) => then(outcomeOf(answer, ids)));
      },
      after(delayMs, task) {
        return scheduleWork(simNow() + Math.max(0, Math.round(delayMs)), task);
      },
      observe,
      finished: (shopper) => activePool.finished(shopper),
      admitShopper() {
        if (admitted >= scenario.shoppers.max) return false;
        admitted++;
        return true;
      },
    };
    const shoppers = createBehaviour(scenario, host);
    behaviour = shoppers;
    scheduleArrivals(scenario, { scheduleWork }, (index) => shoppers.arrive(index));

    const arrivalsEndMs = scenario.startAt + scenario.duration;
    const expectedWallMs = Math.min(live.maxWall, spanMs / live.timeScale);
    const endedBy = await new Promise<Timeline['endedBy']>((resolve) => {
      const check = setInterval(() => {
        // Whatever is due runs before the end is decided, so every arrival of the window gets its turn.
        pump();
        const now = simNow();
        options.onProgress?.(Math.min(1, (performance.now() - perfStartMs) / Math.max(1, expectedWallMs)));
        let reason: Timeline['endedBy'] | null = null;
        if (performance.now() - perfStartMs >= live.maxWall) reason = 'wall_time_limit';
        else if (scenario.end.policy === 'close_offers' && now >= arrivalsEndMs) reason = 'offers_closed';
        else if (pendingWork === 0 && collector.pendingSettlements === 0 && activePool.inFlight === 0) reason = 'settled';
        else if (now >= arrivalsEndMs + scenario.end.drainMax) reason = 'drain_limit';
        if (reason === null) return;
        clearInterval(check);
        stopping = true;
        if (timer) clearTimeout(timer);
        resolve(reason);
      }, CHECK_EVERY_MS);
    });
    const endedAtMs = simNow();
    // Requests already on their way (a quote and the seat it leads to) finish before the offers close, so shoppers
    // who arrived inside the window are not turned away by the run's own ending; the wall-time bound waits for none.
    if (endedBy !== 'wall_time_limit') await activePool.quiet(live.requestTimeout);
    // Closing settles what is left (formed groups complete, open ones fail); shoppers then get their settlements.
    for (const spec of scenario.offers) {
      const answer = await merchant.request({ type: 'close_offer', offerId: liveOfferIds.get(spec.id)! });
      if (answer.message?.type === 'error' && answer.message.code !== 'offer_closed') warn(`closing ${spec.id}: ${String(answer.message.code)}`);
    }
    // Every shopper is done now: sockets close as soon as their answers, settlements and auction results are in.
    activePool.finishAll();
    await activePool.idle(live.settleGrace);
    if (activePool.open > 0) warn(`${activePool.open} shopper connections were still waiting for a settlement after settleGrace`);
    options.onProgress?.(1);
    const wallMs = Date.now() - wallStartMs;
    const facts: LiveFacts = {
      target: target.label,
      timeScale: live.timeScale,
      wallMs,
      offerIds: Object.fromEntries(liveOfferIds),
      connectionsOpened: activePool.connectionsOpened + sockets.length,
      peakConnections: activePool.peakConnections + sockets.length,
      commandsSent: activePool.commandsSent,
      commandsPerS: Math.round((activePool.commandsSent / Math.max(1, wallMs)) * 1_000 * 10) / 10,
      deltasReceived: deltasReceived + activePool.deltasReceived,
      warnings,
    };
    const engine = await target.engineSummary();
    if (!engine) warn('the server does not show its state hash (start it with DEBUG_STATE=on to include it)');
    return {
      timeline: { startMs: scenario.startAt, arrivalsEndMs, endedAtMs, simulatedMs: endedAtMs - scenario.startAt, endedBy },
      engine,
      metrics: collector.result(endedAtMs),
      latency: latency.result(),
      live: facts,
    };
  } finally {
    pacer.stop();
    pool?.closeAll();
    for (const socket of sockets) socket.terminate();
    await target.close();
  }
}

function liveMessage(command: ShopperCommand, offers: Map<string, string>): Record<string, unknown> {
  const offerId = offers.get(command.offerId) ?? command.offerId;
  switch (command.type) {
    case 'quote':
      return { type: 'quote', offerId, asLeader: command.asLeader, ...(command.groupId !== undefined ? { groupId: command.groupId } : {}) };
    case 'match_group':
    case 'open_group':
      return { type: command.type, offerId, qty: command.qty };
    case 'join_group':
      return { type: 'join_group', groupId: command.groupId, qty: command.qty };
    case 'leave_group':
      return { type: 'leave_group', groupId: command.groupId };
    case 'place_bid':
      return { type: 'place_bid', offerId, maxBidMinor: command.maxBidMinor, ...(command.qty !== 1 ? { qty: command.qty } : {}) };
    case 'buy_now':
    case 'accept_price':
    case 'join_queue':
    case 'leave_queue':
      return { type: command.type, offerId };
    case 'confirm_hold':
    case 'release_hold':
      return { type: command.type, offerId, holdId: command.holdId };
    case 'return_unit':
      return { type: 'return_unit', offerId, rentalId: command.rentalId };
    default:
      return unreachable(command);
  }
}

interface AckResult {
  groupId?: string;
  opened?: boolean;
  quote?: { unitPriceMinor?: number };
  auction?: { leading?: boolean | null; priceMinor?: number | null; closed?: boolean; endMs?: number | null };
  reservation?: { holdId?: string; expiresAtMs?: number; rentalId?: string; position?: number };
}

/** An answer as the behaviour reads it; the server's times mapped back to simulated time. */
function outcomeOf(answer: Answer, ids: IdMap): Outcome {
  const message = answer.message;
  const refused = { groupId: null, opened: null, unitPriceMinor: null, auction: null, reservation: null };
  if (!message) return { ok: false, code: answer.clientCode, ...refused };
  if (message.type === 'error') return { ok: false, code: typeof message.code === 'string' ? message.code : 'unknown', ...refused };
  const result = (message.result ?? {}) as AckResult;
  const a = result.auction;
  const r = result.reservation;
  return {
    ok: true,
    code: null,
    groupId: result.groupId ?? null,
    opened: result.opened ?? null,
    unitPriceMinor: result.quote?.unitPriceMinor ?? null,
    auction: a ? { leading: a.leading ?? null, priceMinor: a.priceMinor ?? null, closed: a.closed === true, endMs: typeof a.endMs === 'number' ? ids.simMs(a.endMs) : null } : null,
    reservation: r
      ? { holdId: r.holdId ?? null, expiresAtMs: typeof r.expiresAtMs === 'number' ? ids.simMs(r.expiresAtMs) : null, rentalId: r.rentalId ?? null, position: r.position ?? null }
      : null,
  };
}
