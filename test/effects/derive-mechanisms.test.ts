// Auction and reservation events → effects, without Redis: which effects each money event makes, with which ids,
// payment references and amounts; that the events without money make none; and that the ids do not depend on the
// seq, so the same event recorded twice makes the same effects.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/index.ts';
import {
  deriveEffects,
  type ChargeEffect,
  type DepositHoldEffect,
  type DepositReleaseEffect,
  type EffectSpec,
  type OrderEffect,
  type RefundEffect,
  type WebhookEffect,
} from '../../effects/index.ts';
import { Market } from './helpers.ts';

function effectsOf(market: Market, webhooks = new Set<string>()): EffectSpec[] {
  const context = market.context('p0', webhooks);
  return market.history.flatMap(({ seq, events }) => deriveEffects(seq, events, context));
}

function ofKind<K extends EffectSpec['kind']>(effects: EffectSpec[], kind: K): Extract<EffectSpec, { kind: K }>[] {
  return effects.filter((effect): effect is Extract<EffectSpec, { kind: K }> => effect.kind === kind);
}

/** A uniform auction of three units: alice wants two at 3 000, bob one at 2 500, carol one at 2 000 (the price). */
function uniformAuction(): Market {
  const market = new Market();
  market.createAuction('lot:7', 'm1', 'uniform', 3);
  market.bid('lot:7', 'alice', 3_000, 2);
  market.bid('lot:7', 'bob', 2_500, 1);
  market.bid('lot:7', 'carol', 2_000, 1);
  market.settleAll();
  return market;
}

describe('auction effects', () => {
  it('makes one order per winner at the clearing price, which is also its payment, keyed by the orderId', () => {
    const market = uniformAuction();
    const effects = effectsOf(market, new Set(['m1']));
    const orders = ofKind(effects, 'order');
    expect(orders).toEqual<OrderEffect[]>([
      {
        kind: 'order',
        effectId: 'order|p0|lot%3A7/alice',
        seq: 5,
        atMs: orders[0]!.atMs,
        merchantId: 'm1',
        offerId: 'lot:7',
        shopperId: 'alice',
        currency: 'CNY',
        subject: { type: 'auction', orderId: 'lot:7/alice' },
        paymentRef: 'p0|lot%3A7/alice',
        qty: 2,
        unitPriceMinor: 2_000,
        totalMinor: 4_000,
        chargeMinor: 4_000,
      },
      {
        kind: 'order',
        effectId: 'order|p0|lot%3A7/bob',
        seq: 5,
        atMs: orders[0]!.atMs,
        merchantId: 'm1',
        offerId: 'lot:7',
        shopperId: 'bob',
        currency: 'CNY',
        subject: { type: 'auction', orderId: 'lot:7/bob' },
        paymentRef: 'p0|lot%3A7/bob',
        qty: 1,
        unitPriceMinor: 2_000,
        totalMinor: 2_000,
        chargeMinor: 2_000,
      },
    ]);
    // Bidding charged nothing, so there is nothing to refund to carol or anyone.
    expect(effects.filter((effect) => effect.kind !== 'order' && effect.kind !== 'webhook')).toEqual([]);

    const webhooks = ofKind(effects, 'webhook');
    expect(webhooks.map((effect) => effect.effectId)).toEqual(['webhook|p0|auction_closed|lot%3A7', 'webhook|p0|5|offer_closed|lot%3A7']);
    expect(webhooks[0]!.payload).toEqual({
      id: 'webhook|p0|auction_closed|lot%3A7',
      type: 'auction_closed',
      merchantId: 'm1',
      offerId: 'lot:7',
      occurredAtMs: orders[0]!.atMs,
      data: {
        kind: 'uniform',
        reason: 'ended',
        reserveMet: true,
        clearingPriceMinor: 2_000,
        unitsSold: 3,
        bidders: 3,
        bids: 3,
        currency: 'CNY',
        winners: [
          { shopperId: 'alice', bidderNo: 1, orderId: 'lot:7/alice', qty: 2, unitPriceMinor: 2_000, paidMinor: 4_000 },
          { shopperId: 'bob', bidderNo: 2, orderId: 'lot:7/bob', qty: 1, unitPriceMinor: 2_000, paidMinor: 2_000 },
        ],
      },
    });
  });

  it('sells a Dutch clock to whoever accepts it, at the clock price, in the command that accepted', () => {
    const market = new Market();
    market.createAuction('clock', 'm1', 'dutch', 1, { dutch: { floorPriceMinor: 500, stepMinor: 100, stepIntervalMs: 1_000 } });
    market.nowMs += 2_500;
    market.send({ type: 'tick' });
    market.send({ type: 'accept_price', offerId: 'clock', shopperId: 'xia' });
    const orders = ofKind(effectsOf(market), 'order');
    expect(orders.map(({ effectId, seq, qty, unitPriceMinor, totalMinor, chargeMinor }) => ({ effectId, seq, qty, unitPriceMinor, totalMinor, chargeMinor }))).toEqual([
      { effectId: 'order|p0|clock/xia', seq: 3, qty: 1, unitPriceMinor: 800, totalMinor: 800, chargeMinor: 800 },
    ]);
  });

  it('an auction that sold nothing makes no order, and still tells its merchant', () => {
    const market = new Market();
    market.createAuction('a1', 'm1', 'english', 1, { reservePriceMinor: 5_000 });
    market.bid('a1', 'alice', 2_000);
    market.settleAll();
    const effects = effectsOf(market, new Set(['m1']));
    expect(ofKind(effects, 'order')).toEqual([]);
    const closed = ofKind(effects, 'webhook').find((effect) => effect.payload.type === 'auction_closed')!;
    expect(closed.payload.data).toMatchObject({ reserveMet: false, clearingPriceMinor: null, unitsSold: 0, winners: [] });
    // Without an endpoint: the same orders (none), no webhook.
    expect(effectsOf(market)).toEqual([]);
  });
});

describe('reservation effects', () => {
  it('charges a rental and holds its deposit; the return releases the deposit on the same payment reference', () => {
    const market = new Market();
    market.createReservation('bike', 'm2', 'queue', 20_000);
    const rentalId = market.rent('bike', 'dave');
    market.nowMs += 45_000;
    market.send({ type: 'return_unit', offerId: 'bike', shopperId: 'dave', rentalId });
    expect(rentalId).toBe('bike~h1');

    const effects = effectsOf(market, new Set(['m2']));
    const common = { merchantId: 'm2', offerId: 'bike', shopperId: 'dave', currency: 'CNY', subject: { type: 'rental', rentalId: 'bike~h1' }, paymentRef: 'p0|bike~h1' };
    expect(ofKind(effects, 'charge')).toEqual<ChargeEffect[]>([{ kind: 'charge', effectId: 'charge|p0|bike~h1', seq: 3, atMs: 1_000, ...common, subject: { type: 'rental', rentalId }, qty: 1, amountMinor: 500 }]);
    expect(ofKind(effects, 'deposit_hold')).toEqual<DepositHoldEffect[]>([{ kind: 'deposit_hold', effectId: 'deposit_hold|p0|bike~h1', seq: 3, atMs: 1_000, ...common, subject: { type: 'rental', rentalId }, amountMinor: 20_000 }]);
    expect(ofKind(effects, 'deposit_release')).toEqual<DepositReleaseEffect[]>([
      { kind: 'deposit_release', effectId: 'deposit_release|p0|bike~h1', seq: 4, atMs: 46_000, ...common, subject: { type: 'rental', rentalId }, reason: 'returned', amountMinor: 20_000 },
    ]);
    // Within the command, the charge comes before the hold, and each before its webhook.
    expect(market.history[2]!.events.map((event) => event.type)).toEqual(['rental_started']);
    expect(deriveEffects(3, market.history[2]!.events, market.context('p0', new Set(['m2']))).map((effect) => effect.kind)).toEqual(['charge', 'deposit_hold', 'webhook']);

    const webhooks = ofKind(effects, 'webhook');
    expect(webhooks.map((effect) => [effect.effectId, effect.payload.data])).toEqual([
      ['webhook|p0|rental_started|bike~h1', { rentalId, shopperId: 'dave', unitPriceMinor: 500, chargedMinor: 500, depositMinor: 20_000, currency: 'CNY' }],
      ['webhook|p0|rental_ended|bike~h1', { rentalId, shopperId: 'dave', startedAtMs: 1_000, durationMs: 45_000, depositReleasedMinor: 20_000, currency: 'CNY' }],
    ]);
  });

  it('holds and releases no deposit when there is none or it is waived; the rental is still charged', () => {
    const market = new Market();
    market.createReservation('bike', 'm2', 'queue', 20_000, { depositWaiverCreditScore: 700 });
    const rentalId = market.rent('bike', 'trusted', { creditScore: 750 });
    market.send({ type: 'return_unit', offerId: 'bike', shopperId: 'trusted', rentalId });
    market.createReservation('free', 'm2', 'queue', 0);
    const other = market.rent('free', 'eve');
    market.send({ type: 'return_unit', offerId: 'free', shopperId: 'eve', rentalId: other });
    expect(effectsOf(market).map((effect) => effect.effectId)).toEqual(['charge|p0|bike~h1', 'charge|p0|free~h1']);
  });

  it('charges a confirmed booking and holds its deposit; a cancellation refunds and releases, a completion releases', () => {
    const market = new Market();
    market.createReservation('room', 'm2', 'slots', 5_000);
    const hour = 3_600_000;
    const t0 = market.nowMs;
    const early = market.bookConfirmed('room', 'erin', t0 + hour, t0 + 2 * hour);
    market.send({ type: 'cancel_booking', offerId: 'room', shopperId: 'erin', bookingId: early });
    const kept = market.bookConfirmed('room', 'finn', t0 + 3 * hour, t0 + 4 * hour);
    const late = market.bookConfirmed('room', 'gus', t0 + 5 * hour, t0 + 6 * hour);
    market.nowMs = t0 + 5 * hour + 60_000;
    // The tick completes finn's booking; gus cancels once his has started: nothing back but the deposit.
    market.send({ type: 'tick' });
    market.send({ type: 'cancel_booking', offerId: 'room', shopperId: 'gus', bookingId: late });

    const effects = effectsOf(market);
    const summary = effects.map((effect) => {
      const reason = effect.kind === 'refund' || effect.kind === 'deposit_release' ? (effect as RefundEffect | DepositReleaseEffect).reason : null;
      return [effect.effectId, effect.kind === 'order' || effect.kind === 'webhook' ? null : effect.amountMinor, reason, effect.kind === 'webhook' ? null : effect.paymentRef];
    });
    expect([early, kept, late]).toEqual(['room~b1', 'room~b2', 'room~b3']);
    expect(summary).toEqual([
      ['charge|p0|room~b1', 500, null, 'p0|room~b1'],
      ['deposit_hold|p0|room~b1', 5_000, null, 'p0|room~b1'],
      ['refund|p0|room~b1', 500, 'cancelled', 'p0|room~b1'],
      ['deposit_release|p0|room~b1', 5_000, 'cancelled', 'p0|room~b1'],
      ['charge|p0|room~b2', 500, null, 'p0|room~b2'],
      ['deposit_hold|p0|room~b2', 5_000, null, 'p0|room~b2'],
      ['charge|p0|room~b3', 500, null, 'p0|room~b3'],
      ['deposit_hold|p0|room~b3', 5_000, null, 'p0|room~b3'],
      ['deposit_release|p0|room~b2', 5_000, 'completed', 'p0|room~b2'],
      ['deposit_release|p0|room~b3', 5_000, 'cancelled', 'p0|room~b3'],
    ]);
    const hooks = ofKind(effectsOf(market, new Set(['m2'])), 'webhook') as WebhookEffect[];
    expect(hooks.map((effect) => effect.effectId)).toEqual([
      'webhook|p0|booking_confirmed|room~b1',
      'webhook|p0|booking_cancelled|room~b1',
      'webhook|p0|booking_confirmed|room~b2',
      'webhook|p0|booking_confirmed|room~b3',
      'webhook|p0|booking_completed|room~b2',
      'webhook|p0|booking_cancelled|room~b3',
    ]);
    expect(hooks[0]!.payload.data).toEqual({ bookingId: 'room~b1', shopperId: 'erin', unit: 0, startMs: t0 + hour, endMs: t0 + 2 * hour, unitPriceMinor: 500, chargedMinor: 500, depositMinor: 5_000, currency: 'CNY' });
    expect(hooks[1]!.payload.data).toEqual({ bookingId: 'room~b1', shopperId: 'erin', refundMinor: 500, depositReleasedMinor: 5_000, currency: 'CNY' });
  });
});

describe('events without money', () => {
  it('bids, clocks, queues, holds and waitlists make no effect', () => {
    const market = new Market();
    market.createReservation('bike', 'm2', 'queue', 20_000, { holdExtensionMs: 10_000 });
    market.createReservation('room', 'm2', 'slots', 5_000);
    market.createAuction('clock', 'm1', 'dutch', 1, { dutch: { floorPriceMinor: 500, stepMinor: 100, stepIntervalMs: 1_000 } });
    market.createAuction('vase', 'm1', 'english', 1, { softClose: { windowMs: 10_000, extendMs: 10_000, maxExtensions: 3 } });
    const setUp = market.history.length;

    const holdId = (market.send({ type: 'join_queue', offerId: 'bike', shopperId: 'h1' }).result as { reservation: { holdId: string } }).reservation.holdId;
    market.send({ type: 'extend_hold', offerId: 'bike', shopperId: 'h1', holdId });
    market.send({ type: 'join_queue', offerId: 'bike', shopperId: 'h2' });
    market.send({ type: 'release_hold', offerId: 'bike', shopperId: 'h1', holdId });
    market.send({ type: 'join_queue', offerId: 'bike', shopperId: 'h3' });
    market.send({ type: 'leave_queue', offerId: 'bike', shopperId: 'h3' });
    // A slot starting in 10 s, held (unconfirmed) for s1; s2 waits and leaves, s3 waits until the slot starts.
    const start = market.nowMs + 10_000;
    market.send({ type: 'book_slot', offerId: 'room', shopperId: 's1', startMs: start, endMs: start + 3_600_000 });
    const waiting = market.send({ type: 'book_slot', offerId: 'room', shopperId: 's2', startMs: start, endMs: start + 3_600_000 }).result as { reservation: { bookingId: string } };
    market.send({ type: 'cancel_booking', offerId: 'room', shopperId: 's2', bookingId: waiting.reservation.bookingId });
    market.send({ type: 'book_slot', offerId: 'room', shopperId: 's3', startMs: start, endMs: start + 3_600_000 });
    market.nowMs = start;
    market.send({ type: 'tick' });
    market.send({ type: 'place_bid', offerId: 'vase', shopperId: 'p', maxBidMinor: 2_000 });
    market.nowMs += 45_000;
    // Holds lapse, the clock drops, a late bid extends the English auction.
    market.send({ type: 'place_bid', offerId: 'vase', shopperId: 'q', maxBidMinor: 3_000 });
    market.send({ type: 'tick' });
    // Past the English end: this tick closes the auction, which is money; it is left out below, as a contrast.
    market.nowMs += 3_600_000;
    market.send({ type: 'tick' });

    const observed = market.history.slice(setUp, -1);
    const types = new Set(observed.flatMap(({ events }) => events.map((event: EngineEvent) => event.type)));
    const noMoney = ['bid_placed', 'auction_extended', 'auction_price_dropped', 'queue_changed', 'hold_offered', 'hold_extended', 'hold_released', 'hold_expired', 'booking_waitlisted', 'waitlist_left', 'waitlist_closed', 'stock_changed'];
    // Every one of them happened, and nothing else did.
    expect([...types].sort()).toEqual([...noMoney].sort());
    const context = market.context('p0', new Set(['m1', 'm2']));
    expect(observed.flatMap(({ seq, events }) => deriveEffects(seq, events, context))).toEqual([]);
    const last = market.history[market.history.length - 1]!;
    expect(deriveEffects(last.seq, last.events, context).map((effect) => effect.effectId)).toEqual(
      ['order|p0|vase/q', 'webhook|p0|auction_closed|vase', `webhook|p0|${last.seq}|offer_closed|vase`],
    );
  });
});

describe('idempotency keys', () => {
  it('are unique, free of ":", and the same however often and under whichever seq an event is derived', () => {
    const market = uniformAuction();
    market.createReservation('bike', 'm2', 'queue', 20_000);
    const rentalId = market.rent('bike', 'dave');
    market.send({ type: 'return_unit', offerId: 'bike', shopperId: 'dave', rentalId });
    const effects = effectsOf(market, new Set(['m1', 'm2']));
    const ids = effects.map((effect) => effect.effectId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
    expect(effectsOf(market, new Set(['m1', 'm2']))).toEqual(effects);

    // The same close recorded under another seq (a bug upstream, or a second journal numbering) keeps every money
    // id: BullMQ and the provider take it for the repeat it is.
    const context = market.context('p0', new Set(['m1', 'm2']));
    const moneyIds = (seq: number, events: EngineEvent[]) => deriveEffects(seq, events, context).filter((effect) => effect.kind !== 'webhook' || effect.payload.type !== 'offer_closed').map((effect) => effect.effectId);
    for (const { seq, events } of market.history) expect(moneyIds(seq + 1_000, events)).toEqual(moneyIds(seq, events));
    // Another namespace (another partition, a journal started again) keys everything apart.
    const elsewhere = market.history.flatMap(({ seq, events }) => deriveEffects(seq, events, market.context('p1', new Set(['m1', 'm2']))));
    expect(elsewhere.some((effect) => ids.includes(effect.effectId))).toBe(false);
  });
});
