// Determinism, snapshots and ticks (docs/engine.md, "Time" and "Snapshots and hashes"): the state is a function
// of the commands alone. Two engines fed the same commands agree; an engine restored from a snapshot and fed the
// rest agrees with one that never stopped; a snapshot is plain data that survives JSON; and ticks — late,
// duplicated or missing — never change the outcome, because everything due settles at its own deadline before
// the next command runs.
//
// Replaying a failure: fast-check prints `seed` and `path`; pass them back to fc.assert as `{ seed, path }`
// (or set TUAN_FC_SEED and TUAN_FC_PATH in the environment, which this file reads, and pick the failing test with
// vitest's -t option, since a path belongs to one property) to rerun that exact case.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, DEFAULT_CONFIG, Engine, type Applied, type Command, type EngineConfig, type EngineSnapshot, type PriceTier } from '../../engine/index.ts';

const START_MS = 1_000_000;
const OFFERS = ['o1', 'o2'] as const;
const SHOPPERS = ['s1', 's2', 's3', 's4'] as const;
const GROUPS = ['g1', 'g2', 'g3'] as const;

const shopper = fc.constantFrom(...SHOPPERS);
const offer = fc.constantFrom(...OFFERS);
const group = fc.constantFrom(...GROUPS);
const qty = fc.integer({ min: 1, max: 2 });
const key = fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined, freq: 4 });
const mechanism = fc.record({
  type: fc.constant('group' as const),
  minSize: fc.integer({ min: 2, max: 3 }),
  windowMs: fc.integer({ min: 30, max: 800 }),
  tiers: fc.constantFrom<PriceTier[][]>([], [{ minSize: 2, priceMinor: 900 }], [{ minSize: 2, priceMinor: 950 }, { minSize: 3, priceMinor: 800 }]),
  leaderDiscountBps: fc.constantFrom(0, 500, 3_333),
  newcomerOnly: fc.boolean(),
  autoFillMaxSeats: fc.integer({ min: 0, max: 1 }),
  matchOpensGroup: fc.boolean(),
});

/** A command without its time; times are laid down afterwards so that they mostly advance. */
type Timeless = { [K in Command['type']]: Omit<Extract<Command, { type: K }>, 'nowMs'> }[Command['type']];

const timeless: fc.Arbitrary<Timeless> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('create_offer' as const),
      merchantId: fc.constant('m1'),
      offerId: offer,
      currency: fc.constant('CNY'),
      title: fc.constant('tea'),
      inventory: fc.integer({ min: 0, max: 8 }),
      basePriceMinor: fc.constant(1_000),
      perShopperLimit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      endMs: fc.option(fc.integer({ min: START_MS + 200, max: START_MS + 3_000 }), { nil: undefined }),
      mechanism,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('edit_offer' as const),
      merchantId: fc.constant('m1'),
      offerId: offer,
      patch: fc.record(
        {
          inventory: fc.integer({ min: 0, max: 8 }),
          endMs: fc.option(fc.integer({ min: START_MS, max: START_MS + 3_000 }), { nil: null }),
          tiers: fc.constantFrom<PriceTier[][]>([], [{ minSize: 2, priceMinor: 700 }]),
          leaderDiscountBps: fc.constantFrom(0, 1_000),
        },
        { requiredKeys: [] },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('pause_offer' as const, 'resume_offer' as const, 'close_offer' as const), merchantId: fc.constant('m1'), offerId: offer }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('open_group' as const), shopperId: shopper, newcomer: fc.boolean(), offerId: offer, groupId: fc.option(group, { nil: undefined }), qty }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('join_group' as const), shopperId: shopper, newcomer: fc.boolean(), groupId: group, qty }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('match_group' as const), shopperId: shopper, newcomer: fc.boolean(), offerId: offer, groupId: fc.option(group, { nil: undefined }), qty }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('leave_group' as const), shopperId: shopper, groupId: group }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('quote' as const), offerId: offer, groupId: fc.option(group, { nil: undefined }), asLeader: fc.boolean(), newcomer: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ type: 'tick' as const }) },
);

/** Mostly small steps forward, sometimes a jump, sometimes a late command with an older time. */
const timeStep = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 60 }) }, { weight: 1, arbitrary: fc.integer({ min: 61, max: 900 }) }, { weight: 1, arbitrary: fc.integer({ min: -300, max: -1 }) });

const config: fc.Arbitrary<EngineConfig> = fc.oneof(
  fc.constant(DEFAULT_CONFIG),
  fc.record({
    maxOffers: fc.constant(5),
    maxOffersPerMerchant: fc.constantFrom(2, 5),
    closedOfferRetentionMs: fc.integer({ min: 100, max: 2_000 }),
    retiredOffersRetained: fc.integer({ min: 1, max: 3 }),
    maxLiveGroupsPerOffer: fc.integer({ min: 1, max: 3 }),
    settledGroupsRetained: fc.integer({ min: 1, max: 3 }),
    idempotencyKeysMax: fc.integer({ min: 1, max: 3 }),
    idempotencyTtlMs: fc.integer({ min: 50, max: 500 }),
    priceEventMinGapMs: fc.integer({ min: 0, max: 300 }),
  }),
);

/** Concrete commands: both offers first (so shoppers have something to do), then the random rest. */
const commands: fc.Arbitrary<Command[]> = fc
  .array(fc.record({ dt: timeStep, cmd: timeless, key }), { minLength: 1, maxLength: 60, size: 'max' })
  .map((steps) => {
    const opening: Command[] = OFFERS.map((offerId) => ({
      type: 'create_offer',
      nowMs: START_MS,
      merchantId: 'm1',
      offerId,
      currency: 'CNY',
      title: 'tea',
      inventory: 6,
      basePriceMinor: 1_000,
      mechanism: { type: 'group', minSize: 2, maxSize: 3, windowMs: 300, tiers: [], leaderDiscountBps: 500, newcomerOnly: false, autoFillMaxSeats: 1, matchOpensGroup: true },
    }));
    let clock = START_MS;
    const rest = steps.map(({ dt, cmd, key: idempotencyKey }) => {
      const nowMs = dt >= 0 ? (clock += dt) : clock + dt;
      return { ...cmd, nowMs, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) } as Command;
    });
    return [...opening, ...rest];
  });

/** Each engine gets its own copy of every command, so no two engines can share state through a command object. */
function fresh(cmd: Command): Command {
  return structuredClone(cmd);
}

/** Results and events as they go over the wire (JSON), which is what must match between replicas. */
function wire(applied: Applied): string {
  return canonicalJson(applied);
}

function viaJson(snapshot: EngineSnapshot): EngineSnapshot {
  return JSON.parse(JSON.stringify(snapshot)) as EngineSnapshot;
}

function replayParameters(): { seed?: number; path?: string } {
  const seed = process.env.TUAN_FC_SEED;
  const path = process.env.TUAN_FC_PATH;
  return { ...(seed ? { seed: Number(seed) } : {}), ...(path ? { path } : {}) };
}

const RUNS = { numRuns: 300, ...replayParameters() };

describe('determinism', () => {
  it('gives two fresh engines fed the same commands the same results, events and hash at every step (property)', () => {
    fc.assert(
      fc.property(config, commands, (cfg, cmds) => {
        const a = new Engine(cfg);
        const b = new Engine(cfg);
        for (const cmd of cmds) {
          expect(wire(b.apply(fresh(cmd)))).toBe(wire(a.apply(fresh(cmd))));
          expect(b.stateHash()).toBe(a.stateHash());
        }
        expect(a.checkInvariants()).toEqual([]);
      }),
      RUNS,
    );
  });

  it('gives the same hash, results and events after snapshot + restore + replay of the rest as without stopping (property)', () => {
    fc.assert(
      fc.property(config, commands, fc.nat(), fc.boolean(), (cfg, cmds, cutSeed, throughJson) => {
        const cut = cutSeed % (cmds.length + 1);
        const straight = new Engine(cfg);
        const first = new Engine(cfg);
        for (const cmd of cmds.slice(0, cut)) {
          straight.apply(fresh(cmd));
          first.apply(fresh(cmd));
        }
        const snapshot = first.snapshot();
        const resumed = Engine.restore(throughJson ? viaJson(snapshot) : snapshot);
        expect(resumed.stateHash()).toBe(straight.stateHash());
        expect(resumed.nextDeadlineMs()).toBe(straight.nextDeadlineMs());
        for (const cmd of cmds.slice(cut)) {
          expect(wire(resumed.apply(fresh(cmd)))).toBe(wire(straight.apply(fresh(cmd))));
          expect(resumed.stateHash()).toBe(straight.stateHash());
          expect(resumed.nextDeadlineMs()).toBe(straight.nextDeadlineMs());
        }
        expect(resumed.checkInvariants()).toEqual([]);
      }),
      RUNS,
    );
  });

  it('keeps a snapshot whole through JSON.stringify / JSON.parse (property)', () => {
    fc.assert(
      fc.property(config, commands, (cfg, cmds) => {
        const engine = new Engine(cfg);
        for (const cmd of cmds) engine.apply(fresh(cmd));
        const snapshot = engine.snapshot();
        const parsed = viaJson(snapshot);
        // JSON is lossless for a snapshot: the canonical form, and so the hash, is unchanged by the round trip.
        expect(canonicalJson(parsed)).toBe(canonicalJson(snapshot));
        const restored = Engine.restore(parsed);
        expect(restored.stateHash()).toBe(engine.stateHash());
        expect(canonicalJson(restored.snapshot())).toBe(canonicalJson(snapshot));
        expect(restored.checkInvariants()).toEqual([]);
      }),
      RUNS,
    );
  });

  it('treats a snapshot as a value: later commands do not change it, and restoring it twice gives equal engines (property)', () => {
    fc.assert(
      fc.property(config, commands, fc.nat(), (cfg, cmds, cutSeed) => {
        const cut = cutSeed % (cmds.length + 1);
        const engine = new Engine(cfg);
        for (const cmd of cmds.slice(0, cut)) engine.apply(fresh(cmd));
        const snapshot = engine.snapshot();
        const frozen = canonicalJson(snapshot);
        const restored = Engine.restore(snapshot);
        for (const cmd of cmds.slice(cut)) {
          engine.apply(fresh(cmd));
          restored.apply(fresh(cmd));
        }
        expect(canonicalJson(snapshot)).toBe(frozen);
        expect(Engine.restore(snapshot).stateHash()).toBe(Engine.restore(viaJson(snapshot)).stateHash());
        expect(Engine.restore(snapshot).snapshot()).toEqual(snapshot);
      }),
      RUNS,
    );
  });
});

/** Changes every number and string inside a plain-data value, in place. */
function scribble(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (typeof inner === 'number') record[key] = inner + 1;
    else if (typeof inner === 'string') record[key] = `${inner}!`;
    else scribble(inner);
  }
}

describe('snapshot isolation', () => {
  it('shares nothing between a snapshot and the engines it came from or was restored into (property)', () => {
    fc.assert(
      fc.property(config, commands, (cfg, cmds) => {
        const engine = new Engine(cfg);
        for (const cmd of cmds) engine.apply(fresh(cmd));
        const hash = engine.stateHash();
        const snapshot = engine.snapshot();
        const restored = Engine.restore(snapshot);
        scribble(snapshot);
        expect(engine.stateHash()).toBe(hash);
        expect(restored.stateHash()).toBe(hash);
        expect(restored.checkInvariants()).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('ticks', () => {
  it('changes nothing with a duplicate tick or a late tick (property)', () => {
    fc.assert(
      fc.property(config, commands, fc.nat(), fc.integer({ min: 0, max: 1_000 }), (cfg, cmds, cutSeed, ahead) => {
        const cut = cutSeed % (cmds.length + 1);
        const once = new Engine(cfg);
        for (const cmd of cmds.slice(0, cut)) once.apply(fresh(cmd));
        const twice = Engine.restore(once.snapshot());
        const atMs = once.nowMs + ahead;

        // A late tick (older than the engine's clock) finds nothing due: everything up to the clock has settled.
        const before = once.stateHash();
        const late = once.apply({ type: 'tick', nowMs: Math.max(0, once.nowMs - 1 - ahead) });
        expect(late.events).toEqual([]);
        expect(once.stateHash()).toBe(before);

        // The same tick twice: the second finds nothing left to do.
        const first = once.apply({ type: 'tick', nowMs: atMs });
        expect(wire(twice.apply({ type: 'tick', nowMs: atMs }))).toBe(wire(first));
        const again = twice.apply({ type: 'tick', nowMs: atMs });
        expect(again.events).toEqual([]);
        expect(twice.stateHash()).toBe(once.stateHash());
      }),
      RUNS,
    );
  });

  it('reaches the same state and events whether ticks come at every deadline, late, twice or not at all (property)', () => {
    fc.assert(
      fc.property(config, commands, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1 }), (cfg, cmds, plan) => {
        const untended = new Engine(cfg);
        const ticked = new Engine(cfg);
        let p = 0;
        for (const cmd of cmds) {
          // Before each command the ticked engine is woken at each deadline that falls due by the command's time:
          // on time, a little late (still before the command) or twice, as the plan says.
          const tickEvents: Applied['events'] = [];
          for (let due = ticked.nextDeadlineMs(); due !== null && due <= cmd.nowMs; due = ticked.nextDeadlineMs()) {
            const mode = plan[p++ % plan.length]!;
            const atMs = mode === 1 ? Math.min(cmd.nowMs, due + 7) : due;
            tickEvents.push(...ticked.apply({ type: 'tick', nowMs: atMs }).events);
            if (mode === 2) tickEvents.push(...ticked.apply({ type: 'tick', nowMs: atMs }).events);
            if (mode === 3) tickEvents.push(...ticked.apply({ type: 'tick', nowMs: atMs - 1 }).events);
          }
          const withTicks = ticked.apply(fresh(cmd));
          const without = untended.apply(fresh(cmd));
          // Deadline settlements carry their deadline as atMs, so the ticks' events plus the command's own equal
          // what the untended engine emitted for the command alone.
          expect(canonicalJson({ result: withTicks.result, events: [...tickEvents, ...withTicks.events] })).toBe(wire(without));
          expect(ticked.stateHash()).toBe(untended.stateHash());
        }
      }),
      RUNS,
    );
  });
});

describe('ownership of state', () => {
  // The contract says every change goes through `apply`. An engine that kept references to the objects it was
  // handed, or to the results it handed out, could be changed behind its back, and two replicas fed equal
  // commands would drift apart. These tests mutate those objects after the fact and expect nothing to change.

  function market(): { engine: Engine; create: Command; open: Command } {
    const engine = new Engine();
    const create: Command = {
      type: 'create_offer',
      nowMs: START_MS,
      merchantId: 'm1',
      offerId: 'o1',
      currency: 'CNY',
      title: 'tea',
      inventory: 10,
      basePriceMinor: 1_000,
      mechanism: { type: 'group', minSize: 2, windowMs: 1_000, tiers: [{ minSize: 2, priceMinor: 900 }], leaderDiscountBps: 0, newcomerOnly: false, autoFillMaxSeats: 0, matchOpensGroup: true },
    };
    const open: Command = { type: 'open_group', nowMs: START_MS + 1, shopperId: 's1', newcomer: false, offerId: 'o1', groupId: 'g1', qty: 1, idempotencyKey: 'k1' };
    return { engine, create, open };
  }

  it('is not changed by mutating a create_offer command after it was applied', () => {
    const { engine, create } = market();
    engine.apply(create);
    const before = engine.stateHash();
    if (create.type === 'create_offer' && create.mechanism.type === 'group') {
      create.mechanism.minSize = 7; // group size settings are promises; only the engine may hold them
      create.mechanism.tiers[0]!.priceMinor = 5_000; // above the base price: a table the engine would refuse
    }
    expect(engine.stateHash()).toBe(before);
    expect(engine.offer('o1')?.mechanism).toMatchObject({ minSize: 2, tiers: [{ minSize: 2, priceMinor: 900 }] });
  });

  it('is not changed by mutating an edit_offer command after it was applied', () => {
    const { engine, create } = market();
    engine.apply(create);
    const edit: Command = { type: 'edit_offer', nowMs: START_MS + 2, merchantId: 'm1', offerId: 'o1', patch: { tiers: [{ minSize: 2, priceMinor: 800 }] } };
    engine.apply(edit);
    const before = engine.stateHash();
    if (edit.type === 'edit_offer') edit.patch.tiers![0]!.priceMinor = 5_000;
    expect(engine.stateHash()).toBe(before);
    expect(engine.offer('o1')?.mechanism).toHaveProperty('tiers', [{ minSize: 2, priceMinor: 800 }]);

  });

  it('is not changed by mutating a result it returned, and a retry still gets the first result', () => {
    // Through `submit`, the path the gateway takes: whoever receives the result may decorate or trim it.
    const { engine, create, open } = market();
    engine.submit(create);
    const first = engine.submit(open).result;
    const expected = canonicalJson(first);
    const before = engine.stateHash();
    if (first.ok) {
      first.chargedMinor = 1;
      first.quote!.unitPriceMinor = 1;
    }
    expect(engine.stateHash()).toBe(before);
    expect(canonicalJson(engine.submit({ ...open, nowMs: START_MS + 2 }).result)).toBe(expected);
  });
});
