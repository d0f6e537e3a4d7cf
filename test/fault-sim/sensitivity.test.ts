// The simulator can fail: each test plants one bug through a wrapper around the real Engine (engine/ is never
// touched) and checks that a few seeds catch it, that the report names the seed, the step and the replay command,
// and that replaying that seed fails again at exactly the same step with the same broken check.
import { describe, expect, it } from 'vitest';
import { Engine, parseCommand, type Applied, type Command, type EngineConfig, type EngineSnapshot } from '../../engine/index.ts';
import type { EngineFactory, SimEngine } from './engine-port.ts';
import { SimFailure } from './failure.ts';
import { simulate } from './simulation.ts';

/** How a planted bug changes what the engine answers; each engine made or restored gets a fresh one. */
interface Bug {
  apply?(inner: Engine, cmd: Command): Applied;
  submit?(inner: Engine, raw: unknown): Applied;
}

/** The real engine behind the same surface, with one bug planted. */
class BuggyEngine implements SimEngine {
  constructor(
    private readonly inner: Engine,
    private readonly bug: Bug,
  ) {}

  get nowMs(): number {
    return this.inner.nowMs;
  }

  apply(cmd: Command): Applied {
    return this.bug.apply ? this.bug.apply(this.inner, cmd) : this.inner.apply(cmd);
  }

  /** As Engine.submit does: validate, then apply (through this wrapper, so a bug planted in `apply` is reached). */
  submit(raw: unknown): Applied {
    if (this.bug.submit) return this.bug.submit(this.inner, raw);
    const parsed = parseCommand(raw);
    return parsed.ok ? this.apply(parsed.command) : { result: parsed, events: [] };
  }

  snapshot(): EngineSnapshot {
    return this.inner.snapshot();
  }

  stateHash(): string {
    return this.inner.stateHash();
  }

  checkInvariants(): string[] {
    return this.inner.checkInvariants();
  }

  nextDeadlineMs(): number | null {
    return this.inner.nextDeadlineMs();
  }
}

function plant(makeBug: (restored: boolean) => Bug): EngineFactory {
  return {
    create: (config: EngineConfig) => new BuggyEngine(new Engine(config), makeBug(false)),
    restore: (snapshot: EngineSnapshot) => new BuggyEngine(Engine.restore(snapshot), makeBug(true)),
  };
}

const STEPS = 120;
const SEEDS_TRIED = 40;

/** Runs seeds until one fails; returns its failure (or null when the bug slipped through every seed). */
async function firstFailure(factory: EngineFactory): Promise<SimFailure | null> {
  for (let seed = 1; seed <= SEEDS_TRIED; seed++) {
    try {
      await simulate({ seed, steps: STEPS, factory });
    } catch (error) {
      if (error instanceof SimFailure) return error;
      throw error;
    }
  }
  return null;
}

async function expectCaught(factory: EngineFactory, check: RegExp): Promise<void> {
  const failure = await firstFailure(factory);
  expect(failure, 'the planted bug was not caught').not.toBeNull();
  const { seed, step, delivery } = failure!.context;
  expect(failure!.check).toMatch(check);
  expect(failure!.message).toContain(`seed ${seed}, step ${step}`);
  expect(failure!.message).toContain(`SEED=${seed} STEPS=${step} npx vitest run test/fault-sim`);
  expect(failure!.message).toContain(`npm run sim:faults -- --seed ${seed} --steps ${step}`);

  // The replay the report suggests fails the same way, at the same place.
  const again = await simulate({ seed, steps: step, factory }).then(
    () => null,
    (error: unknown) => error,
  );
  expect(again).toBeInstanceOf(SimFailure);
  const replayed = (again as SimFailure).context;
  expect({ step: replayed.step, delivery: replayed.delivery, check: (again as SimFailure).check }).toEqual({ step, delivery, check: failure!.check });
}

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
