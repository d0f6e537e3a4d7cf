// Hot and cold ids. Most commands use one of a few hot ids, so they collide: two shoppers race for the last unit
// of the same offer, a caller-chosen group id is taken twice, an idempotency key is reused for another command, a
// shopper id equals a merchant id. The rest spread over many cold ids, so maps grow, bounds are reached and
// unknown ids are looked up. The cold ranges are bounded, like everything else.
import type { Prng } from './prng.ts';

export class IdPool {
  constructor(
    private readonly hot: readonly string[],
    private readonly coldPrefix: string,
    private readonly coldCount: number,
    /** Share of picks that go to a hot id. */
    private readonly hotShare: number,
  ) {}

  pick(rng: Prng): string {
    return rng.chance(this.hotShare) ? rng.pick(this.hot) : this.cold(rng);
  }

  hotIds(): readonly string[] {
    return this.hot;
  }

  cold(rng: Prng): string {
    return `${this.coldPrefix}${rng.int(1, this.coldCount)}`;
  }
}

/** The id pools of one run. Shopper "m1" shares its id with merchant "m1": idempotency keys are scoped per actor. */
export const ID_POOLS = {
  merchants: new IdPool(['m1', 'm2'], 'mc', 20, 0.9),
  offers: new IdPool(['o1', 'o2', 'o3'], 'oc', 40, 0.7),
  shoppers: new IdPool(['s1', 's2', 's3', 's4', 'm1'], 'sc', 1_000, 0.75),
  groups: new IdPool(['g1', 'g2', 'g3', 'g4'], 'gc', 400, 0.6),
  keys: new IdPool(['k1', 'k2', 'k3'], 'kc', 100_000, 0.4),
} as const;

export type IdPools = typeof ID_POOLS;
