// Events → effects, without Redis: which effects each money event makes, with which ids and amounts.
import { describe, expect, it } from 'vitest';
import { deriveEffects, type EffectSpec, type OrderEffect, type RefundEffect } from '../../effects/index.ts';
import type { EngineEvent } from '../../engine/index.ts';
import { Market } from './helpers.ts';

function completedMarket() {
  const market = new Market();
  market.createOffer('o1', 'm1');
  market.open('o1', 'alice', 'g:1');
  market.join('g:1', 'bob');
  market.join('g:1', 'carol');
  market.join('g:1', 'dave');
  market.settleAll();
  return market;
}

function effectsOf(market: Market, webhooks = new Set<string>()): EffectSpec[] {
  const context = market.context('p0', webhooks);
  return market.history.flatMap(({ seq, events }) => deriveEffects(seq, events, context));
}

describe('deriveEffects', () => {
  it('charges each join and settles a completed group with one order and one partial refund per member', () => {
    const market = completedMarket();
    const effects = effectsOf(market, new Set(['m1']));
    const charges = effects.filter((effect) => effect.kind === 'charge');
    const orders = effects.filter((effect): effect is OrderEffect => effect.kind === 'order');
    const refunds = effects.filter((effect): effect is RefundEffect => effect.kind === 'refund');
    expect(charges.map((effect) => effect.shopperId)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(orders.map((effect) => effect.shopperId)).toEqual(['alice', 'bob', 'carol', 'dave']);
    // The first three were quoted the size-3 tier and pay the size-4 tier: they get the difference back. Dave
    // joined at size 4 and paid the final price up front: no refund, and no zero-amount refund call either.
    expect(refunds.map((effect) => [effect.shopperId, effect.reason])).toEqual([
      ['alice', 'settled'],
      ['bob', 'settled'],
      ['carol', 'settled'],
    ]);
    for (const order of orders) {
      const charged = charges.find((effect) => effect.shopperId === order.shopperId)!;
      const refunded = refunds.find((effect) => effect.shopperId === order.shopperId)?.amountMinor ?? 0;
      expect(charged.kind === 'charge' && charged.amountMinor).toBe(order.totalMinor + refunded);
      expect(order.paymentRef).toBe(charged.paymentRef);
      expect(order.currency).toBe('CNY');
      expect(order.merchantId).toBe('m1');
    }
    const webhooks = effects.filter((effect) => effect.kind === 'webhook');
    expect(webhooks.map((effect) => effect.kind === 'webhook' && effect.payload.type)).toEqual(['group_completed']);
  });

  it('makes stable ids: kind, namespace, seq, subject; ":" escaped for BullMQ', () => {
    const effects = effectsOf(completedMarket(), new Set(['m1']));
    expect(effects[0]!.effectId).toBe('charge|p0|2|g%3A1|alice');
    expect(effects.find((effect) => effect.kind === 'order')!.effectId).toBe('order|p0|6|g%3A1|alice');
    expect(effects.find((effect) => effect.kind === 'webhook')!.effectId).toBe('webhook|p0|6|group_completed|g%3A1');
    expect(effects.every((effect) => !effect.effectId.includes(':'))).toBe(true);
    expect(new Set(effects.map((effect) => effect.effectId)).size).toBe(effects.length);
    // Derivation is a pure function of (seq, events): a replay makes the same effects.
    expect(effectsOf(completedMarket(), new Set(['m1']))).toEqual(effects);
  });

  it('refunds every member of a failed group in full, and a shopper who left', () => {
    const market = new Market();
    market.createOffer('o1', 'm1', { minSize: 4, tiers: [] });
    market.open('o1', 'alice', 'g1');
    market.join('g1', 'bob');
    market.join('g1', 'carol');
    market.send({ type: 'leave_group', groupId: 'g1', shopperId: 'carol' });
    market.settleAll();
    const effects = effectsOf(market);
    const refunds = effects.filter((effect): effect is RefundEffect => effect.kind === 'refund');
    expect(refunds.map((effect) => [effect.shopperId, effect.reason])).toEqual([
      ['carol', 'left'],
      ['alice', 'failed'],
      ['bob', 'failed'],
    ]);
    for (const refund of refunds) {
      const charge = effects.find((effect) => effect.kind === 'charge' && effect.shopperId === refund.shopperId)!;
      expect(charge.kind === 'charge' && charge.amountMinor).toBe(refund.amountMinor);
    }
    expect(effects.some((effect) => effect.kind === 'order' || effect.kind === 'webhook')).toBe(false);
  });

  it('keys a rejoin apart from the first join', () => {
    const market = new Market();
    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    market.join('g1', 'bob');
    market.send({ type: 'leave_group', groupId: 'g1', shopperId: 'bob' });
    market.join('g1', 'bob');
    const charges = effectsOf(market).filter((effect) => effect.kind === 'charge' && effect.shopperId === 'bob');
    expect(charges.map((effect) => effect.effectId)).toEqual(['charge|p0|3|g1|bob', 'charge|p0|5|g1|bob']);
  });

  it('sends merchant webhooks for offer closes, only to merchants with an endpoint', () => {
    const market = new Market();
    market.createOffer('o1', 'm1');
    market.createOffer('o2', 'm2');
    market.send({ type: 'close_offer', offerId: 'o1', merchantId: 'm1' });
    market.send({ type: 'close_offer', offerId: 'o2', merchantId: 'm2' });
    const webhooks = effectsOf(market, new Set(['m1'])).filter((effect) => effect.kind === 'webhook');
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]!.kind === 'webhook' && webhooks[0]!.payload).toMatchObject({ type: 'offer_closed', merchantId: 'm1', offerId: 'o1', data: { reason: 'merchant' } });
  });

  it('refuses an event of a type no event catalog knows, naming it, rather than skipping its money', () => {
    const market = completedMarket();
    const stray = { type: 'group_exploded', offerId: 'o1', merchantId: 'm1', currency: 'CNY', atMs: 1 } as unknown as EngineEvent;
    expect(() => deriveEffects(9, [stray], market.context('p0'))).toThrow(/group_exploded/);
  });

  it('takes merchant and currency from the events alone: it never asks the engine', () => {
    const market = completedMarket();
    const context = market.context('p0', new Set(['m9']));
    const moved = market.history.map(({ seq, events }) => ({ seq, events: events.map((event) => ({ ...event, merchantId: 'm9', currency: 'USD' })) }));
    const effects = moved.flatMap(({ seq, events }) => deriveEffects(seq, events, context));
    expect(effects.length).toBeGreaterThan(0);
    for (const effect of effects) {
      expect(effect.merchantId).toBe('m9');
      if (effect.kind !== 'webhook') expect(effect.currency).toBe('USD');
    }
    expect(effects.filter((effect) => effect.kind === 'webhook').map((effect) => effect.kind === 'webhook' && effect.payload.data.currency)).toEqual(['USD']);
  });
});
