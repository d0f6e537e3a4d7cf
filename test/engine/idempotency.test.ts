// Idempotency keys: a repeat returns the first answer and changes nothing; a reused key with other parameters
// is refused; memory of keys is bounded by count and age.
import { describe, expect, it } from 'vitest';
import { Market } from './fixtures.ts';

describe('idempotency keys', () => {
  it('returns the first result for a repeat and changes nothing', () => {
    const market = new Market();
    market.createOffer();
    const command = { type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' };
    const first = market.send(command);
    const hash = market.engine.stateHash();
    const again = market.send(command);
    expect(again.result).toEqual(first.result);
    expect(again.events).toEqual([]);
    expect(market.engine.stateHash()).toBe(hash);
    // Later, too: only the clock moves.
    market.nowMs += 10;
    expect(market.send(command).result).toEqual(first.result);
    expect(market.engine.offer('o1')?.heldUnits).toBe(1);
    expect(market.engine.groupsOf('o1')).toHaveLength(1);
  });

  it('refuses the same key with different parameters', () => {
    const market = new Market();
    market.createOffer();
    market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' });
    market.refused({ type: 'open_group', shopperId: 'a', offerId: 'o1', qty: 2, idempotencyKey: 'k1' }, 'idempotency_key_reused');
  });

  it('scopes keys per actor', () => {
    const market = new Market();
    market.createOffer();
    market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' });
    market.ok({ type: 'open_group', shopperId: 'b', offerId: 'o1', idempotencyKey: 'k1' });
    expect(market.engine.groupsOf('o1')).toHaveLength(2);
  });

  it('does not remember refused commands, so a retry can succeed', () => {
    const market = new Market();
    market.createOffer({ startMs: 5_000 });
    market.refused({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' }, 'offer_not_started');
    market.nowMs = 5_000;
    market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' });
  });

  it('forgets the oldest key past the count bound, and keys past their age', () => {
    const market = new Market({ idempotencyKeysMax: 2, idempotencyTtlMs: 1_000 });
    market.createOffer();
    for (const key of ['k1', 'k2', 'k3']) market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: key });
    // k1 was forgotten: the same command runs again as new.
    market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k1' });
    expect(market.engine.groupsOf('o1')).toHaveLength(4);
    market.nowMs += 1_000;
    market.ok({ type: 'open_group', shopperId: 'a', offerId: 'o1', idempotencyKey: 'k3' });
    expect(market.engine.groupsOf('o1')).toHaveLength(5);
    expect(market.engine.snapshot().idempotency.length).toBeLessThanOrEqual(2);
  });
});
