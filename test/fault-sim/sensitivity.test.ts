// The simulator can fail: each test plants one bug through a wrapper around the real Engine (engine/ is never
// touched) and checks that a few seeds catch it, that the report names the seed, the step and the replay command,
// and that replaying that seed fails again at exactly the same step with the same broken check (planted-bugs.ts).
// Bugs planted in one mechanism are looked for in the seeds that drive it.
import { describe, it } from 'vitest';
import { Engine, type EngineConfig, type EngineEvent, type EngineSnapshot } from '../../engine/index.ts';
import { expectCaught, plant, seedsWith } from './planted-bugs.ts';

type ClosedEvent = Extract<EngineEvent, { type: 'auction_closed' }>;

describe('the simulator catches planted bugs', () => {
  it('a corrupted result: one unit overcharged on a join', async () => {
    await expectCaught(
      plant(() => ({
        apply(inner, cmd) {
          const applied = inner.apply(cmd);
          if (cmd.type === 'join_group' && applied.result.ok && cmd.qty >= 2) applied.result.chargedMinor = (applied.result.chargedMinor ?? 0) + 1;
          return applied;
        },
      })),
      /result differs from the reference model|charge = quote × qty/,
    );
  });

  it('a restore that skips the first replayed command', async () => {
    await expectCaught(
      plant((restored) => {
        let skip = restored;
        return {
          apply(inner, cmd) {
            if (skip) {
              skip = false;
              return { result: { ok: true }, events: [] };
            }
            return inner.apply(cmd);
          },
        };
      }),
      // When the journal tail after the snapshot is empty, the skipped command is the first live one instead, and
      // the comparisons after it catch the bug.
      /restored state hash equals the live engine|time never runs backwards|differs from the reference model/,
    );
  });

  it('a restore that loses the oldest settled group', async () => {
    await expectCaught(
      {
        create: (config: EngineConfig) => new Engine(config),
        restore: (snapshot: EngineSnapshot) =>
          Engine.restore({ ...snapshot, mechanisms: { ...snapshot.mechanisms, group: { ...snapshot.mechanisms.group, settled: snapshot.mechanisms.group.settled.slice(1) } } }),
      },
      /restored snapshot hash|restored state hash equals the live engine/,
    );
  });

  it('bad input that moves the clock', async () => {
    await expectCaught(
      plant(() => ({
        submit(inner, raw) {
          const applied = inner.submit(raw);
          if (!applied.result.ok && applied.result.code === 'bad_request') inner.apply({ type: 'tick', nowMs: inner.nowMs + 1 });
          return applied;
        },
      })),
      /bad input must change nothing/,
    );
  });

  it('a keyed duplicate answered differently from the first time', async () => {
    // Per run: a fresh engine starts a fresh memory of keys; a restored one keeps its run's.
    let seen = new Set<string>();
    await expectCaught(
      plant((restored) => {
        if (!restored) seen = new Set();
        return {
        apply(inner, cmd) {
          const applied = inner.apply(cmd);
          const actor = 'shopperId' in cmd ? cmd.shopperId : 'merchantId' in cmd ? cmd.merchantId : null;
          if (cmd.idempotencyKey === undefined || actor === null || !applied.result.ok) return applied;
          const slot = `${actor} ${cmd.idempotencyKey} ${cmd.type}`;
          if (seen.has(slot)) return { ...applied, result: { ...applied.result, opened: !applied.result.opened } };
          seen.add(slot);
          return applied;
        },
        };
      }),
      /a keyed duplicate must get exactly the first answer|result differs from the reference model/,
    );
  });
});

describe('the simulator catches planted auction and reservation bugs', () => {
  it('sealed-bid winners charged their own bid instead of the clearing price', async () => {
    await expectCaught(
      plant(() => ({
        apply(inner, cmd) {
          const applied = inner.apply(cmd);
          const sealed = applied.events.filter((event): event is ClosedEvent => event.type === 'auction_closed' && event.kind !== 'english' && event.kind !== 'dutch' && event.winners.length > 0);
          for (const event of sealed) {
            const market = inner.snapshot().offers.find((offer) => offer.id === event.offerId)!.market;
            const bids = market.type === 'auction' ? market.bids : [];
            for (const winner of event.winners) {
              winner.unitPriceMinor = bids.find((bid) => bid.shopperId === winner.shopperId)!.amountMinor;
              winner.paidMinor = winner.unitPriceMinor * winner.qty;
            }
            event.clearingPriceMinor = event.winners[0]!.unitPriceMinor;
          }
          return applied;
        },
      })),
      /auction: close differs from the auction reference|money: every winner pays the clearing price/,
      seedsWith('auction'),
    );
  });

  it('a restore that drops the last bid of an open auction', async () => {
    const dropLastBid = (snapshot: EngineSnapshot): EngineSnapshot => ({
      ...snapshot,
      offers: snapshot.offers.map((offer) => {
        const auction = offer.market;
        return auction.type === 'auction' && auction.status === 'open' && auction.bids.length > 0 ? { ...offer, market: { ...auction, bids: auction.bids.slice(0, -1) } } : offer;
      }),
    });
    await expectCaught(
      { create: (config: EngineConfig) => new Engine(config), restore: (snapshot: EngineSnapshot) => Engine.restore(dropLastBid(snapshot)) },
      /restored snapshot hash|restored state hash equals the live engine|invariants after restore/,
      seedsWith('auction'),
    );
  });

  it('a hold expiry that goes unreported', async () => {
    await expectCaught(
      plant(() => ({
        apply(inner, cmd) {
          const applied = inner.apply(cmd);
          return { ...applied, events: applied.events.filter((event) => event.type !== 'hold_expired') };
        },
      })),
      /reservation: events differ from the reservation reference|money: the holds open by the events|money: every hold ends exactly once/,
      seedsWith('reservation'),
    );
  });

  it('a deposit released one minor unit short', async () => {
    await expectCaught(
      plant(() => ({
        apply(inner, cmd) {
          const applied = inner.apply(cmd);
          for (const event of applied.events) {
            if ((event.type === 'rental_ended' || event.type === 'booking_cancelled' || event.type === 'booking_completed') && event.depositReleasedMinor > 0) event.depositReleasedMinor -= 1;
          }
          return applied;
        },
      })),
      /reservation: (result|events) differ from the reservation reference|money: a deposit is released in full/,
      seedsWith('reservation'),
    );
  });
});
