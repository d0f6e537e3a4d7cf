// The simulator can fail: each test plants one bug through a wrapper around the real Engine (engine/ is never
// touched) and checks that a few seeds catch it, that the report names the seed, the step and the replay command,
// and that replaying that seed fails again at exactly the same step with the same broken check (planted-bugs.ts).
// Auction and reservation bugs are in sensitivity-mechanisms.test.ts.
import { describe, it } from 'vitest';
import { Engine, type EngineConfig, type EngineSnapshot } from '../../engine/index.ts';
import { expectCaught, plant } from './planted-bugs.ts';

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
        restore: (snapshot: EngineSnapshot) => Engine.restore({ ...snapshot, settledGroups: snapshot.settledGroups.slice(1) }),
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
