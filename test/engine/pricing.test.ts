// Live repricing in the engine: rule sets on offers (derived or the merchant's), `set_rule_set` with versions and
// effective times, `price_changed` only on a change and coalesced, quotes and settlements from the rule set, and
// determinism with all of it in the state.
import { describe, expect, it } from 'vitest';
import { Engine, LIMITS, type CommandInput, type EngineEvent } from '../../engine/index.ts';
import { eventOf, Market, MERCHANT } from './fixtures.ts';

const WIDE_GUARDRAILS = {
  floorMinor: 0,
  ceilingMinor: 100_000_000,
  maxChange: { intervalMs: 60_000, maxRiseBps: 1_000_000, maxDropBps: 10_000 },
  killSwitch: { engaged: false },
};

function ruleSet(version: number, rules: unknown[], extra: Record<string, unknown> = {}) {
  return { schemaVersion: 1, currency: 'CNY', version, rules, guardrails: WIDE_GUARDRAILS, ...extra };
}

const TIERS = (p3: number, p5: number) => ({ kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: p3 }, { minSize: 5, priceMinor: p5 }] });

/** 100 units, every 5 units sold moves the price: many price changes from a burst of joins. */
const SCARCITY = {
  kind: 'scarcity',
  measure: 'units_left',
  thresholds: Array.from({ length: 16 }, (_, i) => ({ atMostLeft: 95 - i * 5, adjustmentBps: 100 * (i + 1) })),
};

function eventsOf<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((event): event is Extract<EngineEvent, { type: T }> => event.type === type);
}

function setRuleSet(market: Market, body: unknown, extra: Record<string, unknown> = {}) {
  return market.send({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: body, ...extra });
}

function sumOf(lines: { deltaMinor: number }[]): number {
  return lines.reduce((sum, line) => sum + line.deltaMinor, 0);
}

describe('rule sets on offers', () => {
  it('derives a rule set from the tiers and leader discount when none is given', () => {
    const market = new Market();
    market.createOffer({ mechanism: { tiers: [{ minSize: 3, priceMinor: 8_000 }], leaderDiscountBps: 500 } });
    const [first] = market.engine.ruleSetHistory('o1');
    expect(first).toMatchObject({ version: 1, source: 'group_settings' });
    expect(first!.ruleSet.rules.map((rule) => rule.kind)).toEqual(['size_tiers', 'leader_discount']);
    expect(market.engine.offer('o1')).toMatchObject({ priceMinor: 8_000, ruleSetVersion: 1, pendingRuleSet: null });
    expect(market.engine.priceHistory('o1')).toEqual([{ atMs: 1_000, priceMinor: 8_000, ruleSetVersion: 1 }]);
  });

  it('takes a merchant rule set at creation, and refuses a broken one naming the field', () => {
    const market = new Market();
    const { result } = market.send({
      type: 'create_offer', merchantId: MERCHANT, offerId: 'o1', title: 't', currency: 'CNY', inventory: 10, basePriceMinor: 10_000,
      mechanism: { type: 'group', minSize: 3, windowMs: 60_000 },
      ruleSet: ruleSet(1, [{ kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 9_000 }, { minSize: 4, priceMinor: 9_500 }] }]),
    });
    expect(result.ok ? 'accepted' : result.code).toBe('invalid_settings');
    expect(result.ok ? '' : result.message).toContain('ruleSet.rules.0.tiers.1.priceMinor');
    market.refused(
      { type: 'create_offer', merchantId: MERCHANT, offerId: 'o1', title: 't', currency: 'CNY', inventory: 10, basePriceMinor: 10_000, mechanism: { type: 'group', minSize: 3, windowMs: 60_000 }, ruleSet: ruleSet(1, [], { currency: 'USD' }) },
      'invalid_settings',
    );
    // One mechanism, not two: tiers belong in the rule set when there is one.
    market.refused(
      { type: 'create_offer', merchantId: MERCHANT, offerId: 'o1', title: 't', currency: 'CNY', inventory: 10, basePriceMinor: 10_000, mechanism: { type: 'group', minSize: 3, windowMs: 60_000, tiers: [{ minSize: 3, priceMinor: 9_000 }] }, ruleSet: ruleSet(1, []) },
      'invalid_settings',
    );
    market.createOffer({ ruleSet: ruleSet(4, [TIERS(9_000, 8_000)]) });
    expect(market.engine.offer('o1')).toMatchObject({ priceMinor: 9_000, ruleSetVersion: 4 });
    expect(market.engine.ruleSetHistory('o1')[0]!.source).toBe('merchant');
  });

  it('derives the rule set again when the tiers or leader discount of a derived offer are edited', () => {
    const market = new Market();
    market.createOffer({ mechanism: { tiers: [{ minSize: 3, priceMinor: 8_000 }] } });
    const { events } = market.send({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { tiers: [{ minSize: 3, priceMinor: 7_000 }] } });
    expect(eventOf(events, 'rule_set_activated')).toEqual({ type: 'rule_set_activated', offerId: 'o1', merchantId: 'm1', currency: 'CNY', version: 2, atMs: 1_000 });
    expect(market.engine.ruleSetHistory('o1').map((entry) => entry.source)).toEqual(['group_settings', 'group_settings']);
    // A base price edit needs no new version: the base is not part of the rule set.
    const edited = market.send({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { basePriceMinor: 9_000 } });
    expect(eventsOf(edited.events, 'rule_set_activated')).toEqual([]);
  });

  it('refuses tier edits on an offer priced by a merchant rule set', () => {
    const market = new Market();
    market.createOffer();
    expect(setRuleSet(market, ruleSet(2, [TIERS(9_000, 8_000)])).result.ok).toBe(true);
    market.refused({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { tiers: [{ minSize: 3, priceMinor: 7_000 }] } }, 'invalid_settings');
    market.refused({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { leaderDiscountBps: 100 } }, 'invalid_settings');
  });
});

describe('set_rule_set', () => {
  it('puts a higher version in force now, with an event, and reprices', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 3 } });
    market.nowMs = 5_000;
    const { result, events } = setRuleSet(market, ruleSet(2, [TIERS(9_000, 8_000)]));
    expect(result).toMatchObject({ ok: true, offerId: 'o1', ruleSetVersion: 2, effectiveAtMs: 5_000 });
    expect(eventOf(events, 'rule_set_activated')).toEqual({ type: 'rule_set_activated', offerId: 'o1', merchantId: 'm1', currency: 'CNY', version: 2, atMs: 5_000 });
    const changed = eventOf(events, 'price_changed');
    expect(changed).toMatchObject({ offerId: 'o1', priceMinor: 9_000, previousPriceMinor: 10_000, ruleSetVersion: 2, atMs: 5_000 });
    expect(sumOf(changed.explanation)).toBe(9_000);
    expect(changed.explanation.map((line) => line.rule)).toEqual(['base', 'size_tiers']);
  });

  it('refuses a version that is not above the current one, another currency, a broken set, and other merchants', () => {
    const market = new Market();
    market.createOffer();
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: ruleSet(1, []) }, 'invalid_settings');
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: ruleSet(2, [], { currency: 'USD' }) }, 'invalid_settings');
    market.refused({ type: 'set_rule_set', merchantId: 'm2', offerId: 'o1', ruleSet: ruleSet(2, []) }, 'not_owner');
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'nope', ruleSet: ruleSet(2, []) }, 'unknown_offer');
    const { result } = setRuleSet(market, ruleSet(2, [{ kind: 'rounding', unitMinor: 100, endingMinor: 90, direction: 'down', colour: 'red' }]));
    expect(result.ok ? '' : `${result.code}: ${result.message}`).toContain('invalid_settings: ruleSet.rules.0.colour');
    market.ok({ type: 'close_offer', merchantId: MERCHANT, offerId: 'o1' });
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: ruleSet(2, []) }, 'offer_closed');
  });

  it('schedules a future version as a deadline, activating it at its own time even when the tick is late', () => {
    const market = new Market();
    market.createOffer();
    const { result, events } = setRuleSet(market, ruleSet(2, [TIERS(9_000, 8_000)]), { effectiveAtMs: 7_000 });
    expect(result).toMatchObject({ ok: true, ruleSetVersion: 2, effectiveAtMs: 7_000 });
    expect(events).toEqual([]);
    expect(market.engine.offer('o1')?.pendingRuleSet).toEqual({ version: 2, effectiveAtMs: 7_000 });
    expect(market.engine.nextDeadlineMs()).toBe(7_000);
    // A version above the waiting one replaces it; one at or below it is refused.
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: ruleSet(2, []), effectiveAtMs: 8_000 }, 'invalid_settings');
    expect(setRuleSet(market, ruleSet(3, [TIERS(9_500, 8_000)]), { effectiveAtMs: 7_000 }).result.ok).toBe(true);
    const late = market.tickAt(9_000);
    expect(eventOf(late, 'rule_set_activated')).toEqual({ type: 'rule_set_activated', offerId: 'o1', merchantId: 'm1', currency: 'CNY', version: 3, atMs: 7_000 });
    expect(eventOf(late, 'price_changed')).toMatchObject({ priceMinor: 9_500, atMs: 7_000, ruleSetVersion: 3 });
    expect(market.engine.ruleSetHistory('o1').map((entry) => [entry.version, entry.activeFromMs])).toEqual([[1, 1_000], [3, 7_000]]);
    expect(market.engine.offer('o1')?.pendingRuleSet).toBeNull();
  });

  it('refuses an effective time at or after the offer end', () => {
    const market = new Market();
    market.createOffer({ endMs: 10_000 });
    market.refused({ type: 'set_rule_set', merchantId: MERCHANT, offerId: 'o1', ruleSet: ruleSet(2, []), effectiveAtMs: 10_000 }, 'invalid_settings');
  });

  it('keeps a bounded history of rule set versions', () => {
    const market = new Market();
    market.createOffer();
    for (let version = 2; version <= 40; version++) setRuleSet(market, ruleSet(version, []));
    const history = market.engine.ruleSetHistory('o1');
    expect(history).toHaveLength(LIMITS.ruleSetVersionsRetained);
    expect(history.at(-1)!.version).toBe(40);
    expect(history[0]!.version).toBe(40 - LIMITS.ruleSetVersionsRetained + 1);
  });
});

describe('live repricing', () => {
  it('emits nothing when joins leave the headline price as it was', () => {
    const market = new Market();
    market.createOffer({ mechanism: { tiers: [{ minSize: 3, priceMinor: 8_000 }] } });
    const groupId = market.open('a');
    const { events } = market.send({ type: 'join_group', shopperId: 'b', groupId });
    expect(eventsOf(events, 'price_changed')).toEqual([]);
    expect(market.engine.nextDeadlineMs()).toBe(61_000); // the group's deadline only: no reprice is waiting
  });

  it('publishes a base price edit with the previous price and an explanation that sums to it', () => {
    const market = new Market();
    // The headline is a new group's price at its minimum size (3), below the first tier: the base price.
    market.createOffer({ mechanism: { tiers: [{ minSize: 5, priceMinor: 8_000 }] } });
    market.nowMs = 3_000;
    const { events } = market.send({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { basePriceMinor: 9_000 } });
    const changed = eventOf(events, 'price_changed');
    expect(changed).toMatchObject({ priceMinor: 9_000, previousPriceMinor: 10_000, ruleSetVersion: 1, atMs: 3_000 });
    expect(sumOf(changed.explanation)).toBe(9_000);
  });

  it('coalesces a burst of 100 joins in one millisecond into at most two price events', () => {
    const market = new Market({ priceEventMinGapMs: 1_000 });
    market.createOffer({ inventory: 100, ruleSet: ruleSet(1, [SCARCITY]) });
    market.nowMs = 5_000;
    const groupId = market.open('s0');
    const events: EngineEvent[] = [];
    for (let i = 1; i < 100; i++) events.push(...market.send({ type: 'join_group', shopperId: `s${i}`, groupId }).events);
    expect(eventsOf(events, 'price_changed')).toHaveLength(1);
    expect(market.engine.nextDeadlineMs()).toBe(6_000);
    const later = eventsOf(market.tickAt(6_500), 'price_changed');
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ atMs: 6_000, priceMinor: market.engine.offer('o1')!.priceMinor });
    expect(sumOf(later[0]!.explanation)).toBe(later[0]!.priceMinor);
    expect(market.engine.priceHistory('o1').map((point) => point.atMs)).toEqual([1_000, 5_000, 6_000]);
  });

  it('keeps the price history bounded', () => {
    const market = new Market({ priceEventMinGapMs: 0 });
    market.createOffer();
    for (let i = 0; i < LIMITS.priceHistoryRetained + 20; i++) {
      market.ok({ type: 'edit_offer', merchantId: MERCHANT, offerId: 'o1', patch: { basePriceMinor: 10_000 + (i % 2) } });
    }
    expect(market.engine.priceHistory('o1')).toHaveLength(LIMITS.priceHistoryRetained);
  });

  it('reprices at a window edge with no command, through the deadline queue', () => {
    const market = new Market();
    const window = { kind: 'window', schedule: { type: 'absolute', startMs: 20_000, endMs: 30_000 }, adjustment: { type: 'price', priceMinor: 6_600 } };
    market.createOffer({ ruleSet: ruleSet(1, [window]) });
    expect(market.engine.nextDeadlineMs()).toBe(20_000);
    expect(eventOf(market.tickAt(25_000), 'price_changed')).toMatchObject({ priceMinor: 6_600, atMs: 20_000 });
    expect(eventOf(market.tickAt(31_000), 'price_changed')).toMatchObject({ priceMinor: 10_000, previousPriceMinor: 6_600, atMs: 30_000 });
    expect(market.engine.nextDeadlineMs()).toBeNull();
  });
});

describe('quotes and settlement from the rule set', () => {
  it('explains every quote with deltas that sum to the price', () => {
    const market = new Market();
    const rules = [TIERS(8_800, 7_900), { kind: 'leader_discount', discountBps: 500 }, { kind: 'rounding', unitMinor: 100, endingMinor: 90, direction: 'down' }];
    market.createOffer({ ruleSet: ruleSet(1, rules) });
    const { quote } = market.ok({ type: 'quote', offerId: 'o1', asLeader: true }) as unknown as { quote: { unitPriceMinor: number; ruleSetVersion: number; explanation: { rule: string; deltaMinor: number; detail: string }[] } };
    expect(quote.explanation.map((line) => line.rule)).toEqual(['base', 'size_tiers', 'leader_discount', 'rounding']);
    expect(sumOf(quote.explanation)).toBe(quote.unitPriceMinor);
    expect(quote.unitPriceMinor).toBe(8_290);
    expect(quote.ruleSetVersion).toBe(1);
    expect(quote.explanation[1]!.detail).not.toBe('');
    const opened = market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1' }) as unknown as { quote: typeof quote };
    expect(sumOf(opened.quote.explanation)).toBe(opened.quote.unitPriceMinor);
  });

  it('never settles above a member quote after a rule set change that raises prices', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 3, tiers: [{ minSize: 3, priceMinor: 8_000 }] } });
    const groupId = market.open('a');
    market.join('b', groupId);
    setRuleSet(market, ruleSet(2, [TIERS(9_500, 9_000)]));
    const { events } = market.send({ type: 'join_group', shopperId: 'c', groupId });
    expect(eventOf(events, 'group_joined').quotedUnitPriceMinor).toBe(9_500);
    const completed = eventOf(market.tickAt(61_000), 'group_completed');
    expect(completed.members.map((m) => m.unitPriceMinor)).toEqual([8_000, 8_000, 9_500]);
    expect(completed.members.map((m) => m.refundMinor)).toEqual([0, 0, 0]);
  });

  it('prices a newcomer discount at join and at settlement alike', () => {
    const market = new Market();
    market.createOffer({ ruleSet: ruleSet(1, [TIERS(9_000, 8_000), { kind: 'newcomer_discount', discountBps: 1_000 }]) });
    const groupId = market.open('a');
    const joined = market.join('n', groupId, { newcomer: true }) as unknown as { chargedMinor: number };
    expect(joined.chargedMinor).toBe(8_100);
    market.join('c', groupId);
    const completed = eventOf(market.tickAt(61_000), 'group_completed');
    expect(completed.members.find((m) => m.shopperId === 'n')).toMatchObject({ unitPriceMinor: 8_100, refundMinor: 0 });
  });
});

describe('determinism with rule sets', () => {
  function script(): CommandInput[] {
    const base = { merchantId: MERCHANT, offerId: 'o1' };
    const surge = {
      kind: 'demand_surge', signal: 'joins_per_hour', halfLifeMs: 600_000, levels: [{ atLeast: 60, adjustmentBps: 300 }, { atLeast: 200, adjustmentBps: 800 }],
      hysteresisBps: 2_000, minDwellMs: 300_000, maxStepBps: 300, stepIntervalMs: 300_000,
    };
    const commands: CommandInput[] = [
      { type: 'create_offer', nowMs: 1_000, ...base, title: 't', currency: 'CNY', inventory: 500, basePriceMinor: 10_000, mechanism: { type: 'group', minSize: 3, windowMs: 3_600_000 }, ruleSet: ruleSet(1, [TIERS(9_000, 8_000), SCARCITY, surge]) },
      { type: 'set_rule_set', nowMs: 2_000, ...base, ruleSet: ruleSet(2, [TIERS(9_500, 8_500), surge]), effectiveAtMs: 400_000 },
    ];
    for (let i = 0; i < 120; i++) commands.push({ type: 'match_group', nowMs: 3_000 + i * 5_000, shopperId: `s${i}`, offerId: 'o1' });
    commands.push({ type: 'tick', nowMs: 2_000_000 });
    return commands;
  }

  function run(commands: CommandInput[], restoreAt: number | null) {
    let engine = new Engine();
    const events: EngineEvent[] = [];
    commands.forEach((command, index) => {
      if (index === restoreAt) engine = Engine.restore(JSON.parse(JSON.stringify(engine.snapshot())));
      events.push(...engine.submit(command).events);
      expect(engine.checkInvariants()).toEqual([]);
    });
    return { hash: engine.stateHash(), events, history: engine.priceHistory('o1') };
  }

  it('gives the same events and hash with or without a snapshot and restore mid-way', () => {
    const commands = script();
    const straight = run(commands, null);
    expect(eventsOf(straight.events, 'price_changed').length).toBeGreaterThan(2);
    expect(eventsOf(straight.events, 'rule_set_activated')).toEqual([{ type: 'rule_set_activated', offerId: 'o1', merchantId: 'm1', currency: 'CNY', version: 2, atMs: 400_000 }]);
    for (const cut of [1, 2, 40, 90]) expect(run(commands, cut)).toEqual(straight);
  });
});

describe('rule sets on offers without groups', () => {
  it('finds no group deadline for a group-anchored decay, so every deadline stays one a tick can carry', () => {
    // Found by the fault simulation: the decay once counted down to a "group deadline" near 9e15 on a queue offer.
    const market = new Market();
    market.ok({
      type: 'create_offer', merchantId: MERCHANT, offerId: 'o1', title: 'Bike', currency: 'CNY', inventory: 2, basePriceMinor: 1_000,
      mechanism: { type: 'reservation', mode: 'queue', holdMs: 30_000 },
    });
    const decay = { kind: 'time_decay_linear', deadline: 'group', fromBeforeDeadlineMs: 3_600_000, untilBeforeDeadlineMs: 0, adjustmentBps: -2_000, stepMs: 60_000 };
    expect(setRuleSet(market, ruleSet(2, [decay])).result.ok).toBe(true);
    const next = market.engine.nextDeadlineMs();
    expect(next === null || next <= LIMITS.timeMsMax).toBe(true);
    expect(market.engine.offer('o1')?.priceMinor).toBe(1_000);
  });
});
