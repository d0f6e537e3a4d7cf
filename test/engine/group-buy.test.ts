// Unit tests of the group-buy rules (docs/engine.md): one test per rule or rejection, each small enough to read.
import { describe, expect, it } from 'vitest';
import { eventOf, Market } from './fixtures.ts';

const TIERS = [
  { minSize: 2, priceMinor: 9_000 },
  { minSize: 3, priceMinor: 8_000 },
  { minSize: 5, priceMinor: 7_000 },
];

describe('opening and joining', () => {
  it('opens a group with the shopper as leader, holding its units and charging the bounding quote', () => {
    const market = new Market();
    market.createOffer({ mechanism: { tiers: TIERS } });
    const { result, events } = market.send({ type: 'open_group', shopperId: 'alice', offerId: 'o1', groupId: 'g1', qty: 2 });
    expect(result).toMatchObject({ ok: true, groupId: 'g1', opened: true, chargedMinor: 16_000 });
    expect(events.map((event) => event.type)).toEqual(['group_opened', 'group_joined', 'stock_changed']);
    expect(eventOf(events, 'group_opened')).toMatchObject({ leaderId: 'alice', deadlineMs: 61_000, minSize: 3 });
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 2, availableUnits: 98 });
  });

  it('generates group ids when none is given, and they never clash with caller ids', () => {
    const market = new Market();
    market.createOffer();
    const first = market.open('alice');
    const second = market.open('bob');
    expect(first).toMatch(/^o1~g/);
    expect(second).not.toBe(first);
    market.refused({ type: 'open_group', shopperId: 'carol', offerId: 'o1', groupId: 'o1~g9' }, 'bad_request');
  });

  it('forms the group at minSize and completes it at once at maxSize', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2, maxSize: 3 } });
    const groupId = market.open('alice');
    const formed = market.send({ type: 'join_group', shopperId: 'bob', groupId }).events;
    expect(formed.map((event) => event.type)).toEqual(['group_joined', 'group_formed', 'stock_changed']);
    expect(market.engine.group(groupId)?.status).toBe('formed');
    const full = market.send({ type: 'join_group', shopperId: 'carol', groupId }).events;
    expect(eventOf(full, 'group_completed')).toMatchObject({ reason: 'full', size: 3, autoFilledSeats: 0 });
    expect(market.engine.group(groupId)).toBeNull();
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 0, soldUnits: 3 });
  });

  it('refuses a join to a group that filled up with group_full, and to other settled groups with group_closed', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2, maxSize: 2 } });
    const full = market.open('alice');
    market.join('bob', full);
    market.refused({ type: 'join_group', shopperId: 'carol', groupId: full }, 'group_full');
    const lonely = market.open('dave');
    market.tickAt(61_000);
    market.refused({ type: 'join_group', shopperId: 'carol', groupId: lonely }, 'group_closed');
    market.refused({ type: 'join_group', shopperId: 'carol', groupId: 'nope' }, 'unknown_group');
  });

  it('refuses a second seat for the same shopper in one group', () => {
    const market = new Market();
    market.createOffer();
    const groupId = market.open('alice');
    market.refused({ type: 'join_group', shopperId: 'alice', groupId }, 'already_member');
  });

  it('stops a group without maxSize at the hard cap', () => {
    const market = new Market();
    market.createOffer({ inventory: 2_000, mechanism: { minSize: 2 } });
    const groupId = market.open('s0');
    for (let i = 1; i < 999; i++) market.join(`s${i}`, groupId);
    const { events } = market.send({ type: 'join_group', shopperId: 's999', groupId });
    expect(eventOf(events, 'group_completed')).toMatchObject({ reason: 'full', size: 1_000 });
  });
});

describe('matching', () => {
  it('prefers the group missing the fewest seats, then the nearest deadline, then the oldest', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 4 } });
    const far = market.open('a1');
    market.nowMs = 2_000;
    const near = market.open('b1');
    market.join('b2', near); // `near` now misses 2 seats, `far` misses 3
    expect(market.ok({ type: 'match_group', shopperId: 'x', offerId: 'o1' }).groupId).toBe(near);
    market.join('a2', far);
    market.join('a3', far); // both miss 1 seat now; `far` opened earlier, so its deadline is nearer
    expect(market.ok({ type: 'match_group', shopperId: 'y', offerId: 'o1' }).groupId).toBe(far);
  });

  it('breaks a tie on seats and deadline by age', () => {
    const market = new Market();
    market.createOffer();
    const older = market.open('a');
    market.open('b');
    expect(market.ok({ type: 'match_group', shopperId: 'c', offerId: 'o1' }).groupId).toBe(older);
  });

  it('ranks formed groups after every group that still misses seats', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2 } });
    const formed = market.open('a');
    market.join('b', formed);
    const open = market.open('c');
    expect(market.ok({ type: 'match_group', shopperId: 'd', offerId: 'o1' }).groupId).toBe(open);
    expect(market.ok({ type: 'match_group', shopperId: 'e', offerId: 'o1' }).groupId).toBe(formed);
  });

  it('skips groups the shopper is in or may not join, and opens a new one when none fits', () => {
    const market = new Market();
    market.createOffer();
    const own = market.open('alice');
    const result = market.ok({ type: 'match_group', shopperId: 'alice', offerId: 'o1', groupId: 'fresh' });
    expect(result).toMatchObject({ groupId: 'fresh', opened: true });
    expect(market.engine.group(own)?.size).toBe(1);
  });

  it('says no_joinable_group when none fits and the offer does not open groups by matching', () => {
    const market = new Market();
    market.createOffer({ mechanism: { matchOpensGroup: false } });
    market.refused({ type: 'match_group', shopperId: 'alice', offerId: 'o1' }, 'no_joinable_group');
  });

  it('checks the limit and inventory before looking for a group', () => {
    const market = new Market();
    market.createOffer({ inventory: 1 });
    market.open('alice');
    market.refused({ type: 'match_group', shopperId: 'bob', offerId: 'o1' }, 'sold_out');
  });
});

describe('leaving', () => {
  it('releases the hold and refunds the charge', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 3 } });
    const groupId = market.open('alice');
    market.join('bob', groupId, { qty: 2 });
    const { result, events } = market.send({ type: 'leave_group', shopperId: 'bob', groupId });
    expect(result).toMatchObject({ ok: true, refundMinor: 20_000 });
    expect(eventOf(events, 'group_left')).toMatchObject({ shopperId: 'bob', qty: 2, refundMinor: 20_000, size: 1 });
    expect(market.engine.offer('o1')?.heldUnits).toBe(1);
  });

  it('passes leadership to the earliest remaining member', () => {
    const market = new Market();
    market.createOffer();
    const groupId = market.open('alice');
    market.join('bob', groupId);
    const { events } = market.send({ type: 'leave_group', shopperId: 'alice', groupId });
    expect(eventOf(events, 'group_left').leaderId).toBe('bob');
    expect(market.engine.group(groupId)?.leaderId).toBe('bob');
  });

  it('fails a group its last member leaves', () => {
    const market = new Market();
    market.createOffer();
    const groupId = market.open('alice');
    const { events } = market.send({ type: 'leave_group', shopperId: 'alice', groupId });
    expect(eventOf(events, 'group_failed')).toMatchObject({ reason: 'empty', size: 0, refunds: [] });
    market.refused({ type: 'join_group', shopperId: 'bob', groupId }, 'group_closed');
  });

  it('refuses leaving a formed group, a group one is not in, and a settled group', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2, maxSize: 2 } });
    const groupId = market.open('alice');
    market.refused({ type: 'leave_group', shopperId: 'bob', groupId }, 'not_member');
    market.join('bob', groupId);
    market.refused({ type: 'leave_group', shopperId: 'bob', groupId }, 'group_closed');
    market.createOffer({ offerId: 'o2', mechanism: { minSize: 2 } });
    const formed = market.ok({ type: 'open_group', shopperId: 'carol', offerId: 'o2' }).groupId as string;
    market.join('dave', formed);
    market.refused({ type: 'leave_group', shopperId: 'dave', groupId: formed }, 'already_formed');
  });
});

describe('deadlines', () => {
  it('completes a formed group at its deadline and fails an open one, refunding every charge', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2 } });
    const formed = market.open('a');
    market.join('b', formed);
    const open = market.open('c', { qty: 3 });
    expect(market.engine.nextDeadlineMs()).toBe(61_000);
    const events = market.tickAt(61_000);
    expect(eventOf(events, 'group_completed')).toMatchObject({ groupId: formed, reason: 'deadline' });
    expect(eventOf(events, 'group_failed')).toMatchObject({
      groupId: open,
      reason: 'deadline',
      refunds: [{ shopperId: 'c', qty: 3, refundMinor: 30_000 }],
    });
    expect(market.engine.offer('o1')).toMatchObject({ heldUnits: 0, soldUnits: 2 });
    expect(market.engine.nextDeadlineMs()).toBeNull();
  });

  it('settles nothing before the deadline, and settles on any later command even without a tick', () => {
    const market = new Market();
    market.createOffer();
    const groupId = market.open('a');
    expect(market.tickAt(60_999)).toEqual([]);
    market.nowMs = 70_000;
    const { events } = market.send({ type: 'quote', offerId: 'o1' });
    expect(eventOf(events, 'group_failed')).toMatchObject({ groupId, atMs: 61_000 });
  });

  it('auto-fills a group missing at most autoFillMaxSeats and says so', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 4, autoFillMaxSeats: 1, tiers: TIERS } });
    const groupId = market.open('a');
    market.join('b', groupId);
    market.join('c', groupId);
    const completed = eventOf(market.tickAt(61_000), 'group_completed');
    expect(completed).toMatchObject({ autoFilledSeats: 1, size: 4, reason: 'deadline' });
    expect(completed.members.every((member) => member.unitPriceMinor <= 8_000)).toBe(true);
    expect(market.engine.offer('o1')?.soldUnits).toBe(3);
  });

  it('does not auto-fill a group missing more seats than allowed', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 4, autoFillMaxSeats: 1 } });
    const groupId = market.open('a');
    market.join('b', groupId);
    expect(eventOf(market.tickAt(61_000), 'group_failed').groupId).toBe(groupId);
  });

  it('clamps a group window to the offer end and closes the offer at its end', () => {
    const market = new Market();
    market.createOffer({ endMs: 30_000 });
    const groupId = market.open('a');
    expect(market.engine.group(groupId)?.deadlineMs).toBe(30_000);
    const events = market.tickAt(30_000);
    // The group settles first, at its own deadline (a step of its own, ending with the stock it released), then the offer ends.
    expect(events.map((event) => event.type)).toEqual(['group_failed', 'stock_changed', 'offer_closed']);
    expect(eventOf(events, 'offer_closed').reason).toBe('ended');
    market.refused({ type: 'open_group', shopperId: 'b', offerId: 'o1' }, 'offer_ended');
  });

  it('treats a command from the past as happening now', () => {
    const market = new Market();
    market.createOffer();
    market.tickAt(50_000);
    market.nowMs = 10;
    const groupId = market.open('a');
    expect(market.engine.group(groupId)?.openedAtMs).toBe(50_000);
  });
});

describe('prices', () => {
  it('charges everyone the final tier, with the leader discount, and refunds the difference', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2, tiers: TIERS, leaderDiscountBps: 500 } });
    const groupId = market.open('lead');
    const joined = ['b', 'c', 'd', 'e'].map((shopper) => market.join(shopper, groupId));
    expect(joined.map((result) => result.chargedMinor)).toEqual([9_000, 8_000, 8_000, 7_000]);
    const completed = eventOf(market.tickAt(61_000), 'group_completed');
    expect(completed.members.map((member) => [member.shopperId, member.unitPriceMinor, member.refundMinor])).toEqual([
      ['lead', 6_650, 8_550 - 6_650],
      ['b', 7_000, 2_000],
      ['c', 7_000, 1_000],
      ['d', 7_000, 1_000],
      ['e', 7_000, 0],
    ]);
    for (const member of completed.members) expect(member.paidMinor).toBe(member.unitPriceMinor * member.qty);
  });

  it('explains a quote with deltas that add up to the price', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 3, tiers: TIERS, leaderDiscountBps: 1_000 } });
    const { quote } = market.ok({ type: 'quote', offerId: 'o1', asLeader: true }) as { quote: { unitPriceMinor: number; explanation: { rule: string; deltaMinor: number }[] } };
    expect(quote.explanation.map((line) => line.rule)).toEqual(['base', 'size_tiers', 'leader_discount']);
    expect(quote.explanation.reduce((sum, line) => sum + line.deltaMinor, 0)).toBe(quote.unitPriceMinor);
    expect(quote.unitPriceMinor).toBe(7_200);
  });

  it('never charges more than the quote, even after the merchant raises the tiers', () => {
    const market = new Market();
    market.createOffer({ mechanism: { minSize: 2, tiers: TIERS } });
    const groupId = market.open('a');
    market.join('b', groupId);
    market.ok({ type: 'edit_offer', merchantId: 'm1', offerId: 'o1', patch: { tiers: [{ minSize: 2, priceMinor: 9_900 }] } });
    const completed = eventOf(market.tickAt(61_000), 'group_completed');
    expect(completed.members.map((member) => member.unitPriceMinor)).toEqual([9_000, 9_000]);
  });
});

describe('who may take a seat', () => {
  it('lets anyone lead a newcomer-only group but only newcomers join it', () => {
    const market = new Market();
    market.createOffer({ mechanism: { newcomerOnly: true } });
    const groupId = market.open('veteran');
    market.refused({ type: 'join_group', shopperId: 'old', groupId }, 'not_newcomer');
    market.join('new', groupId, { newcomer: true });
    const matched = market.ok({ type: 'match_group', shopperId: 'old2', offerId: 'o1' });
    expect(matched.opened).toBe(true);
  });

  it('bounds the units one shopper holds and buys across groups', () => {
    const market = new Market();
    market.createOffer({ perShopperLimit: 3, mechanism: { minSize: 2, maxSize: 2 } });
    const first = market.open('alice', { qty: 2 });
    market.join('bob', first); // completes: alice bought 2
    market.refused({ type: 'open_group', shopperId: 'alice', offerId: 'o1', qty: 2 }, 'limit_exceeded');
    market.open('alice', { qty: 1 });
  });

  it('gives the last unit to exactly one of two racing shoppers', () => {
    const market = new Market();
    market.createOffer({ inventory: 2 });
    const groupId = market.open('a');
    market.join('b', groupId);
    market.refused({ type: 'join_group', shopperId: 'c', groupId }, 'sold_out');
    market.refused({ type: 'match_group', shopperId: 'c', offerId: 'o1' }, 'sold_out');
  });

  it('refuses seats on paused, closed, ended and not yet started offers', () => {
    const market = new Market();
    market.createOffer({ startMs: 5_000, endMs: 100_000 });
    market.refused({ type: 'open_group', shopperId: 'a', offerId: 'o1' }, 'offer_not_started');
    market.nowMs = 5_000;
    const groupId = market.open('a');
    market.ok({ type: 'pause_offer', merchantId: 'm1', offerId: 'o1' });
    market.refused({ type: 'join_group', shopperId: 'b', groupId }, 'offer_paused');
    market.ok({ type: 'leave_group', shopperId: 'a', groupId }); // leaving stays possible while paused
    market.ok({ type: 'resume_offer', merchantId: 'm1', offerId: 'o1' });
    market.open('b');
    market.ok({ type: 'close_offer', merchantId: 'm1', offerId: 'o1' });
    market.refused({ type: 'open_group', shopperId: 'c', offerId: 'o1' }, 'offer_closed');
    market.refused({ type: 'open_group', shopperId: 'c', offerId: 'nope' }, 'unknown_offer');
  });

  it('bounds live groups per offer and refuses duplicate group ids', () => {
    const market = new Market({ maxLiveGroupsPerOffer: 2 });
    market.createOffer();
    market.open('a', { groupId: 'g1' });
    market.refused({ type: 'open_group', shopperId: 'b', offerId: 'o1', groupId: 'g1' }, 'group_exists');
    market.open('b');
    market.refused({ type: 'open_group', shopperId: 'c', offerId: 'o1' }, 'too_many_groups');
    market.join('a', market.engine.groupsOf('o1')[1]!.groupId); // now no live group can take 'a'
    market.refused({ type: 'match_group', shopperId: 'a', offerId: 'o1', groupId: 'gx' }, 'too_many_groups');
  });
});
