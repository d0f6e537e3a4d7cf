// Differential property tests of auctions: random command sequences run through the engine and through the naive
// reference models (auction-reference.ts). After every step the two must agree on the outcome of the command, on
// the English price and leader, on the end (soft-close extensions included) and, at the close, on the winners and
// the clearing price; the engine's invariants must hold after every step; bids racing the end are decided by
// sequence; a snapshot restored mid-run must give the same hash and the same future.
//
// The pools are tiny (four shoppers and the merchant, prices near the increments and the reserve, times that land
// on the end exactly), so ties, raises, reserve jumps, refusals and races happen often.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../engine/index.ts';
import { dutchPrice, englishPrice, incrementAt, RefAuction, RefDutch, type Band, type RefSettings } from './auction-reference.ts';

const START_MS = 1_000_000;
const DURATION_MS = 10_000;
const SHOPPERS = ['s1', 's2', 's3', 's4', 'm1'] as const;

interface AuctionSpec {
  kind: 'english' | 'vickrey' | 'uniform';
  openingMinor: number;
  reserveMinor: number;
  increments: Band[];
  buyNowExtra: number | null;
  softClose: { windowMs: number; extendMs: number; maxExtensions: number } | null;
  units: number;
  perShopperLimit: number | null;
  dutch: { startMinor: number; floorPriceMinor: number; stepMinor: number; stepIntervalMs: number };
}

type Exposure = 'none' | 'below' | 'at' | 'above';
type Amount = { kind: 'relative'; delta: number } | { kind: 'absolute'; value: number };
type Action =
  | { type: 'bid'; shopper: string; amount: Amount; qty: number; exposure: Exposure }
  | { type: 'buy_now' | 'accept'; shopper: string; exposure: Exposure }
  | { type: 'pause' | 'resume' | 'close' | 'tick' };
interface Step {
  time: { kind: 'advance'; ms: number } | { kind: 'end'; offset: number };
  action: Action;
}

const bands: fc.Arbitrary<Band[]> = fc
  .array(fc.record({ gap: fc.integer({ min: 1, max: 3_000 }), stepMinor: fc.integer({ min: 1, max: 300 }) }), { minLength: 1, maxLength: 3 })
  .map((list) => {
    let fromMinor = 0;
    return list.map((band, i) => {
      if (i > 0) fromMinor += band.gap;
      return { fromMinor, stepMinor: band.stepMinor };
    });
  });

const spec: fc.Arbitrary<AuctionSpec> = fc.record({
  kind: fc.constantFrom('english' as const, 'vickrey' as const, 'uniform' as const),
  openingMinor: fc.constantFrom(1, 100, 1_000),
  reserveMinor: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })),
  increments: bands,
  buyNowExtra: fc.option(fc.integer({ min: 0, max: 3_000 })),
  softClose: fc.option(fc.record({ windowMs: fc.integer({ min: 1, max: 3_000 }), extendMs: fc.integer({ min: 1, max: 3_000 }), maxExtensions: fc.integer({ min: 0, max: 3 }) })),
  units: fc.integer({ min: 1, max: 4 }),
  perShopperLimit: fc.option(fc.integer({ min: 1, max: 3 })),
  dutch: fc.record({
    startMinor: fc.integer({ min: 1, max: 2_000 }),
    floorPriceMinor: fc.integer({ min: 0, max: 1_000 }),
    stepMinor: fc.integer({ min: 1, max: 300 }),
    stepIntervalMs: fc.integer({ min: 1, max: 2_000 }),
  }),
});

const shopper = fc.constantFrom(...SHOPPERS);
const exposure = fc.oneof({ weight: 6, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constantFrom('below' as const, 'at' as const, 'above' as const) });
const amount: fc.Arbitrary<Amount> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('relative' as const), delta: fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: 0, max: 3_000 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('absolute' as const), value: fc.integer({ min: 1, max: 8_000 }) }) },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 80, arbitrary: fc.record({ type: fc.constant('bid' as const), shopper, amount, qty: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 5 }) }), exposure }) },
  { weight: 16, arbitrary: fc.record({ type: fc.constantFrom('buy_now' as const, 'accept' as const), shopper, exposure: fc.constantFrom('none' as const, 'below' as const, 'at' as const, 'above' as const) }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constantFrom('pause' as const, 'resume' as const, 'tick' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('close' as const) }) },
);
const step: fc.Arbitrary<Step> = fc.record({
  time: fc.oneof(
    { weight: 60, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 50, 200, 700) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), offset: fc.constantFrom(-1, 0, 1) }) },
  ),
  action,
});
const scenario = fc.record({ spec, steps: fc.array(step, { minLength: 1, maxLength: 40, size: 'large' }) });

function settingsOf(s: AuctionSpec): RefSettings {
  return {
    merchantId: 'm1',
    openingMinor: s.openingMinor,
    reserveMinor: s.reserveMinor,
    increments: s.increments,
    buyNowMinor: s.kind === 'english' && s.buyNowExtra !== null ? Math.max(s.openingMinor, s.reserveMinor) + s.buyNowExtra : null,
    softClose: s.softClose,
    endMs: START_MS + DURATION_MS,
    units: s.kind === 'uniform' ? s.units : 1,
    perShopperLimit: s.perShopperLimit,
  };
}

/** The creates of a scenario: the auction under test ('a1') and a Dutch clock ('d1') beside it. */
function creates(s: AuctionSpec): Record<string, unknown>[] {
  const settings = settingsOf(s);
  const base = { type: 'create_offer', nowMs: START_MS, merchantId: 'm1', title: 'Lot', currency: 'CNY' };
  const floor = Math.min(s.dutch.floorPriceMinor, s.dutch.startMinor);
  return [
    {
      ...base,
      offerId: 'a1',
      inventory: settings.units,
      basePriceMinor: s.openingMinor,
      endMs: settings.endMs,
      ...(s.perShopperLimit === null ? {} : { perShopperLimit: s.perShopperLimit }),
      mechanism: {
        type: 'auction',
        kind: s.kind,
        reservePriceMinor: s.reserveMinor,
        increments: s.increments,
        ...(settings.buyNowMinor === null ? {} : { buyNowPriceMinor: settings.buyNowMinor }),
        ...(s.softClose === null ? {} : { softClose: s.softClose }),
      },
    },
    {
      ...base,
      offerId: 'd1',
      inventory: 1,
      basePriceMinor: s.dutch.startMinor,
      mechanism: { type: 'auction', kind: 'dutch', dutch: { floorPriceMinor: floor, stepMinor: s.dutch.stepMinor, stepIntervalMs: s.dutch.stepIntervalMs } },
    },
  ];
}

function limitFor(kind: Exposure, commitsMinor: number): number | undefined {
  if (kind === 'none') return undefined;
  return kind === 'below' ? commitsMinor - 1 : kind === 'at' ? commitsMinor : commitsMinor + 1_000;
}

/** What the shopper has committed in the open auction a1 (its live bid), as the reference has it: exposure elsewhere for d1. */
function committedOnA1(ref: RefAuction, shopperId: string): number {
  if (ref.closed !== null) return 0;
  const bid = ref.bids.find((b) => b.shopperId === shopperId);
  return bid === undefined ? 0 : bid.amountMinor * bid.qty;
}

/**
 * Turns the step's action into a command, with amounts relative to what the reference says a bid needs now. An
 * exposure limit covers the shopper's bids across both auctions: a limit for d1 counts its live bid on a1 too.
 */
function commandOf(act: Action, ref: RefAuction, nowMs: number): Record<string, unknown> {
  switch (act.type) {
    case 'bid': {
      const own = ref.bids.find((bid) => bid.shopperId === act.shopper);
      let minimum: number;
      if (ref.kind === 'english') {
        const price = englishPrice(ref.s, ref.bids);
        const leads = own !== undefined && ref.leaderNo() === ref.bids.indexOf(own) + 1;
        minimum = leads ? own.amountMinor + 1 : price === null ? ref.s.openingMinor : price + incrementAt(ref.s.increments, price);
      } else {
        minimum = own?.amountMinor ?? ref.s.openingMinor;
      }
      const maxBidMinor = Math.max(1, act.amount.kind === 'relative' ? minimum + act.amount.delta : act.amount.value);
      const qty = ref.kind === 'uniform' ? act.qty : act.qty > 3 ? 2 : 1;
      const limit = limitFor(act.exposure, maxBidMinor * qty);
      return { type: 'place_bid', nowMs, shopperId: act.shopper, offerId: 'a1', maxBidMinor, qty, ...(limit === undefined ? {} : { exposureLimitMinor: limit }) };
    }
    case 'buy_now':
    case 'accept': {
      const commits = act.type === 'buy_now' ? (ref.s.buyNowMinor ?? 1) : 1;
      const elsewhere = act.type === 'accept' ? committedOnA1(ref, act.shopper) : 0;
      const limit = limitFor(act.exposure, elsewhere + commits);
      const type = act.type === 'buy_now' ? 'buy_now' : 'accept_price';
      return { type, nowMs, shopperId: act.shopper, offerId: act.type === 'buy_now' ? 'a1' : 'd1', ...(limit === undefined ? {} : { exposureLimitMinor: limit }) };
    }
    case 'pause':
      return { type: 'pause_offer', nowMs, merchantId: 'm1', offerId: 'a1' };
    case 'resume':
      return { type: 'resume_offer', nowMs, merchantId: 'm1', offerId: 'a1' };
    case 'close':
      return { type: 'close_offer', nowMs, merchantId: 'm1', offerId: 'a1' };
    case 'tick':
      return { type: 'tick', nowMs };
  }
}

/** The reference's outcome for the same command ('accepted' or a code). */
function refOutcome(ref: RefAuction, cmd: Record<string, unknown>): string {
  switch (cmd.type) {
    case 'place_bid':
      return ref.bid(cmd.shopperId as string, cmd.maxBidMinor as number, cmd.qty as number, cmd.exposureLimitMinor as number | undefined);
    case 'buy_now':
      return ref.buyNow(cmd.shopperId as string, cmd.exposureLimitMinor as number | undefined);
    case 'pause_offer':
    case 'resume_offer':
      if (ref.closed) return 'offer_closed';
      ref.paused = cmd.type === 'pause_offer';
      return 'accepted';
    case 'close_offer':
      if (ref.closed) return 'offer_closed';
      ref.close('offer_closed', ref.nowMs);
      return 'accepted';
    default:
      return 'accepted';
  }
}

function closedEvents(events: EngineEvent[], offerId: string): Extract<EngineEvent, { type: 'auction_closed' }>[] {
  return events.filter((event): event is Extract<EngineEvent, { type: 'auction_closed' }> => event.type === 'auction_closed' && event.offerId === offerId);
}

const seen = new Map<string, number>();

function runAgainstReference({ spec: s, steps }: { spec: AuctionSpec; steps: Step[] }): void {
  const engine = new Engine();
  for (const create of creates(s)) expect(engine.submit(create).result.ok).toBe(true);
  const ref = new RefAuction(s.kind, settingsOf(s));
  ref.advance(START_MS);
  const dutch = new RefDutch(s.dutch, START_MS, 'm1');
  let nowMs = START_MS;
  let closes = 0;
  for (const { time, action: act } of steps) {
    nowMs = time.kind === 'advance' ? nowMs + time.ms : Math.max(nowMs, ref.endMs + time.offset);
    const cmd = commandOf(act, ref, nowMs);
    const { result, events } = engine.submit(cmd);
    ref.advance(nowMs);
    const limit = cmd.exposureLimitMinor as number | undefined;
    // What the shopper may still commit on d1: its limit less its live bid on a1, once what was due by now settled
    // (a bid that won at a1's end is an order, no longer a commitment).
    const leftForDutch = limit === undefined ? undefined : limit - committedOnA1(ref, String(cmd.shopperId ?? ''));
    const expected = cmd.type === 'accept_price' ? dutch.accept(cmd.shopperId as string, nowMs, leftForDutch) : refOutcome(ref, cmd);
    const outcome = result.ok ? 'accepted' : result.code;
    seen.set(`${String(cmd.type)} ${outcome}`, (seen.get(`${String(cmd.type)} ${outcome}`) ?? 0) + 1);
    expect({ cmd, outcome }).toEqual({ cmd, outcome: expected });
    if (cmd.type === 'accept_price' && result.ok) expect(result.auction?.priceMinor).toBe(dutch.taken!.priceMinor);
    expect(engine.checkInvariants()).toEqual([]);

    // A close is an event in the sequence: it comes before anything else the command did, never with a new bid.
    const closed = closedEvents(events, 'a1');
    closes += closed.length;
    if (closed.length > 0) expect(events.some((event) => event.type === 'bid_placed')).toBe(false);
    const view = engine.auction('a1')!;
    if (ref.closed === null) {
      expect(view).toMatchObject({ status: 'open', bidders: ref.bids.length, endMs: ref.endMs, extensionsUsed: ref.extensions });
      if (s.kind === 'english') expect({ price: view.priceMinor, leader: view.leaderNo }).toEqual({ price: englishPrice(ref.s, ref.bids), leader: ref.leaderNo() });
    } else {
      expect(view.status).toBe('closed');
      expect(closes).toBe(1);
      if (closed.length === 1) {
        const event = closed[0]!;
        expect({
          reason: event.reason,
          atMs: event.atMs,
          reserveMet: event.reserveMet,
          clearingPriceMinor: event.clearingPriceMinor,
          winners: event.winners.map((w) => ({ shopperId: w.shopperId, qty: w.qty, unitPriceMinor: w.unitPriceMinor })),
        }).toEqual(ref.closed);
      }
    }
  }
}

describe('auctions against the reference models', () => {
  it('agree on every outcome, price, leader, end and close (English, Vickrey, uniform; Dutch beside them)', () => {
    fc.assert(fc.property(scenario, runAgainstReference), { numRuns: 800 });
    // The generator must reach every rule: a run that stopped exercising one would pass vacuously.
    const expected = [
      'place_bid accepted',
      'place_bid bid_too_low',
      'place_bid auction_closed',
      'place_bid own_offer',
      'place_bid offer_paused',
      'place_bid exposure_exceeded',
      'place_bid sold_out',
      'place_bid limit_exceeded',
      'buy_now accepted',
      'buy_now buy_now_unavailable',
      'buy_now wrong_mechanism',
      'buy_now exposure_exceeded',
      'accept_price accepted',
      'accept_price auction_closed',
      'accept_price exposure_exceeded',
      'close_offer accepted',
    ];
    expect(expected.filter((key) => !seen.has(key))).toEqual([]);
  });

  it('decide bids racing the end by sequence: before the end counts, at or after it is refused after the close', () => {
    const race = fc.record({
      spec: spec.map((s) => ({ ...s, softClose: null })),
      offsets: fc.array(fc.record({ offset: fc.integer({ min: -3, max: 3 }), who: fc.constantFrom('s1', 's2', 's3') }), { minLength: 1, maxLength: 12 }),
    });
    fc.assert(
      fc.property(race, ({ spec: s, offsets }) => {
        const engine = new Engine();
        for (const create of creates(s)) engine.submit(create);
        const endMs = START_MS + DURATION_MS;
        const times = offsets.map(({ offset }) => endMs + offset).sort((a, b) => a - b);
        const counted: string[] = [];
        let closedSeen = false;
        times.forEach((nowMs, i) => {
          const who = offsets[i]!.who;
          const { result, events } = engine.submit({ type: 'place_bid', nowMs, shopperId: who, offerId: 'a1', maxBidMinor: 100_000 + i, qty: 1 });
          const closing = closedEvents(events, 'a1');
          if (nowMs < endMs) {
            expect(closing).toEqual([]);
            if (result.ok) counted.push(who);
          } else {
            expect(result.ok ? 'accepted' : result.code).toBe('auction_closed');
            // The first command at or after the end carries the close, at the end's own time, before anything else.
            if (!closedSeen) expect(events.filter((event) => event.offerId === 'a1')[0]).toMatchObject({ type: 'auction_closed', atMs: endMs });
            closedSeen = true;
          }
        });
        if (!closedSeen) engine.submit({ type: 'tick', nowMs: endMs });
        const outcome = engine.auction('a1')!.outcome!;
        expect(outcome.closedAtMs).toBe(endMs);
        expect(engine.auction('a1')!.bids).toBe(counted.length);
      }),
      { numRuns: 300 },
    );
  });

  it('restore a snapshot taken mid-run to the same hash and the same future', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ spec: s, steps }, cutSeed) => {
        const original = new Engine();
        for (const create of creates(s)) original.submit(create);
        const ref = new RefAuction(s.kind, settingsOf(s));
        const cut = cutSeed % (steps.length + 1);
        let copy: Engine | null = null;
        let nowMs = START_MS;
        steps.forEach(({ time, action: act }, i) => {
          if (i === cut) {
            copy = Engine.restore(JSON.parse(JSON.stringify(original.snapshot())));
            expect(copy.stateHash()).toBe(original.stateHash());
          }
          nowMs = time.kind === 'advance' ? nowMs + time.ms : Math.max(nowMs, ref.endMs + time.offset);
          const cmd = commandOf(act, ref, nowMs);
          const applied = original.submit(cmd);
          ref.advance(nowMs);
          if (cmd.type !== 'accept_price') refOutcome(ref, cmd);
          if (copy !== null) {
            expect((copy as Engine).submit(cmd)).toEqual(applied);
            expect((copy as Engine).stateHash()).toBe(original.stateHash());
            expect((copy as Engine).checkInvariants()).toEqual([]);
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('the Dutch clock against its formula', () => {
  it('drops once per step at the step time, however the ticks come, and sells at the price of the moment', () => {
    const clock = fc.record({
      startMinor: fc.integer({ min: 1, max: 3_000 }),
      floorPriceMinor: fc.integer({ min: 0, max: 3_000 }),
      stepMinor: fc.integer({ min: 1, max: 500 }),
      stepIntervalMs: fc.integer({ min: 1, max: 1_000 }),
      startOffsetMs: fc.integer({ min: 0, max: 2_000 }),
      ticks: fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 8 }),
      acceptAtMs: fc.integer({ min: 0, max: 20_000 }),
    });
    fc.assert(
      fc.property(clock, (c) => {
        const floor = Math.min(c.floorPriceMinor, c.startMinor);
        const settings = { floorPriceMinor: floor, stepMinor: c.stepMinor, stepIntervalMs: c.stepIntervalMs };
        if (Math.ceil((c.startMinor - floor) / c.stepMinor) > 10_000) return;
        const engine = new Engine();
        const clockStartMs = START_MS + c.startOffsetMs;
        const created = engine.submit({
          type: 'create_offer',
          nowMs: START_MS,
          merchantId: 'm1',
          offerId: 'd1',
          title: 'Tulips',
          currency: 'CNY',
          inventory: 1,
          basePriceMinor: c.startMinor,
          ...(c.startOffsetMs > 0 ? { startMs: clockStartMs } : {}),
          mechanism: { type: 'auction', kind: 'dutch', dutch: settings },
        });
        expect(created.result.ok).toBe(true);
        const acceptAtMs = clockStartMs + c.acceptAtMs;
        const drops: { priceMinor: number; atMs: number }[] = [];
        const collect = (events: EngineEvent[]) => {
          for (const event of events) if (event.type === 'auction_price_dropped') drops.push({ priceMinor: event.priceMinor, atMs: event.atMs });
        };
        for (const tick of [...c.ticks].sort((a, b) => a - b).filter((t) => clockStartMs + t <= acceptAtMs)) {
          collect(engine.submit({ type: 'tick', nowMs: clockStartMs + tick }).events);
          expect(engine.auction('d1')!.priceMinor).toBe(dutchPrice(c.startMinor, settings, clockStartMs, clockStartMs + tick));
        }
        const { result, events } = engine.submit({ type: 'accept_price', nowMs: acceptAtMs, shopperId: 's1', offerId: 'd1' });
        collect(events);
        expect(result).toMatchObject({ ok: true, auction: { priceMinor: dutchPrice(c.startMinor, settings, clockStartMs, acceptAtMs) } });
        const expected: { priceMinor: number; atMs: number }[] = [];
        for (let at = clockStartMs + c.stepIntervalMs, price = c.startMinor; price > floor && at <= acceptAtMs; at += c.stepIntervalMs) {
          price = Math.max(floor, price - c.stepMinor);
          expected.push({ priceMinor: price, atMs: at });
        }
        expect(drops).toEqual(expected);
        expect(engine.checkInvariants()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
