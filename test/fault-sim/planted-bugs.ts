// The harness of the sensitivity tests (sensitivity.test.ts): the real Engine behind the simulator's surface with
// one bug planted in what it answers (engine/ is never touched), and the check that a few seeds catch it, that the
// report names the seed, the step and the replay command, and that replaying that seed fails again at exactly the
// same step with the same broken check.
import { expect } from 'vitest';
import { Engine, parseCommand, type Applied, type AuctionView, type Command, type EngineConfig, type EngineSnapshot, type ReservationView } from '../../engine/index.ts';
import type { EngineFactory, SimEngine } from './engine-port.ts';
import { SimFailure } from './failure.ts';
import { Prng } from './prng.ts';
import { profileFor, type RunProfile } from './profile.ts';
import { simulate } from './simulation.ts';

/** How a planted bug changes what the engine answers; each engine made or restored gets a fresh one. */
export interface Bug {
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

  auction(offerId: string): AuctionView | null {
    return this.inner.auction(offerId);
  }

  reservation(offerId: string, shopperId?: string): ReservationView | null {
    return this.inner.reservation(offerId, shopperId);
  }
}

export function plant(makeBug: (restored: boolean) => Bug): EngineFactory {
  return {
    create: (config: EngineConfig) => new BuggyEngine(new Engine(config), makeBug(false)),
    restore: (snapshot: EngineSnapshot) => new BuggyEngine(Engine.restore(snapshot), makeBug(true)),
  };
}

const STEPS = 120;
const SEEDS_TRIED = 40;

/** Seeds that use a mechanism: a bug planted in it cannot show in the others. */
export function seedsWith(mechanism: string): (profile: RunProfile) => boolean {
  return (profile) => profile.mechanisms.some((generator) => generator.mechanism === mechanism);
}

/** Runs seeds (those `tried` picks) until one fails; returns its failure (or null when the bug slipped through). */
async function firstFailure(factory: EngineFactory, tried: (profile: RunProfile) => boolean): Promise<SimFailure | null> {
  for (let seed = 1; seed <= SEEDS_TRIED; seed++) {
    if (!tried(profileFor(seed, new Prng(seed)))) continue;
    try {
      await simulate({ seed, steps: STEPS, factory });
    } catch (error) {
      if (error instanceof SimFailure) return error;
      throw error;
    }
  }
  return null;
}

export async function expectCaught(factory: EngineFactory, check: RegExp, tried: (profile: RunProfile) => boolean = () => true): Promise<void> {
  const failure = await firstFailure(factory, tried);
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
