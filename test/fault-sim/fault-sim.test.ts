// Many short seeds of the fault-injecting simulator (docs/simulation-testing.md). A failure names its seed and
// step and prints the line that replays it:
//   SEED=<seed> STEPS=<step> npx vitest run test/fault-sim        (TRACE=1 prints every delivery; KNOWN_BUGS=1
//                                                                  drives into the engine bugs not fixed yet)
// The long run is a separate script: npm run sim:faults -- --seeds 10000 --steps 2000
import { describe, expect, it } from 'vitest';
import { Prng } from './prng.ts';
import { profileFor } from './profile.ts';
import { simulate, type SimReport } from './simulation.ts';

/** 200 seeds of 100 steps: about 20 000 steps, a few seconds of CPU; the long run goes deeper. */
const SEEDS = 200;
const STEPS = 100;

/**
 * Generous on purpose: the run costs 10–15 s of CPU on a quiet 2-core machine, and a loaded CI machine must not
 * fail it by timing out.
 */
const TIMEOUT_MS = 180_000;

function replayRequest(): { seed: number; steps: number; trace: boolean; runIntoKnownBugs: boolean } | null {
  const seed = process.env.SEED;
  if (seed === undefined || seed === '') return null;
  const steps = Number(process.env.STEPS ?? STEPS);
  if (!Number.isSafeInteger(Number(seed)) || !Number.isSafeInteger(steps)) throw new Error(`SEED and STEPS must be integers, got SEED=${seed} STEPS=${process.env.STEPS}`);
  return { seed: Number(seed), steps, trace: process.env.TRACE === '1', runIntoKnownBugs: process.env.KNOWN_BUGS === '1' };
}

/**
 * What the seeds must have exercised between them: every fault, both stores, both modes. A simulator whose faults
 * stopped firing would pass vacuously; this keeps it honest.
 */
const EXPECTED = [
  'delivery: client',
  'delivery: reordered',
  'delivery: duplicate',
  'delivery: retry',
  'delivery: tick: at deadline',
  'delivery: tick: late',
  'delivery: tick: now',
  'delivery: tick: repeated',
  'late delivery: older nowMs than the engine clock',
  'fault: time jump without ticks',
  'keyed duplicate answered from memory: join_group',
  'keyed duplicate answered from memory: match_group',
  'keyed duplicate answered from memory: open_group',
  'keyed duplicate answered from memory: leave_group',
  'keyed duplicate answered from memory: edit_offer',
  'refused: idempotency_key_reused',
  'fault: bad input (wrong_type)',
  'fault: bad input (bad_id)',
  'fault: bad input (bad_time)',
  'fault: bad input (unknown_field)',
  'fault: bad input (not_an_object)',
  'checkpoint: memory',
  'checkpoint: file',
  'crash: restored from the memory store',
  'crash: restored from the file store',
  'crash: restored from the previous snapshot',
  'accepted: set_rule_set',
  'refused: sold_out',
  'refused: too_many_groups',
  'refused: capacity_exceeded',
  'event: group_completed (deadline)',
  'event: group_completed (full)',
  'event: group_failed (deadline)',
  'event: group_failed (empty)',
  'event: price_changed',
  // Auctions: every kind closes every way, bids race, clocks fall; the reference follows them.
  'accepted: place_bid',
  'accepted: buy_now',
  'accepted: accept_price',
  'refused: bid_too_low',
  'refused: auction_closed',
  'refused: buy_now_unavailable',
  'refused: exposure_exceeded',
  'refused: own_offer',
  'refused: wrong_mechanism',
  'event: auction_closed (ended)',
  'event: auction_closed (buy_now)',
  'event: auction_closed (accepted)',
  'event: auction_closed (offer_closed)',
  'event: auction_extended',
  'event: auction_price_dropped',
  'keyed duplicate answered from memory: place_bid',
  'fault: bad input on place_bid',
  'fault: bad input on buy_now',
  'fault: bad input on accept_price',
  'fault: bad input (bad_value)',
  'fault: bad input (bad_settings)',
  'crash: restored with an open auction',
  'reference: auction offer followed',
  'reference: auction delivery compared',
  // Reservations: queues and slots, every way a hold ends, deposits held and released.
  'accepted: join_queue',
  'accepted: leave_queue',
  'accepted: confirm_hold',
  'accepted: extend_hold',
  'accepted: release_hold',
  'accepted: return_unit',
  'accepted: book_slot',
  'accepted: cancel_booking',
  'refused: hold_expired',
  'refused: not_holder',
  'refused: unknown_hold',
  'refused: unknown_rental',
  'refused: extension_unavailable',
  'refused: already_queued',
  'refused: queue_full',
  'refused: slot_unavailable',
  'refused: invalid_slot',
  'event: hold_expired',
  'event: hold_released (declined)',
  'event: hold_released (cancelled)',
  'event: hold_released (offer_closed)',
  'event: rental_started',
  'event: rental_ended',
  'event: booking_waitlisted',
  'event: booking_confirmed',
  'event: booking_cancelled',
  'event: booking_completed',
  'event: waitlist_closed (slot_started)',
  'keyed duplicate answered from memory: join_queue',
  'keyed duplicate answered from memory: book_slot',
  'keyed duplicate answered from memory: confirm_hold',
  'fault: bad input on join_queue',
  'fault: bad input on book_slot',
  'fault: bad input on confirm_hold',
  'crash: restored with live holds, rentals or bookings',
  'reference: reservation offer followed',
  'reference: reservation delivery compared',
];

describe('fault-injecting simulation of the engine', () => {
  it(`holds every check over ${SEEDS} seeds × ${STEPS} steps of faults (or the seed in SEED)`, async () => {
    const replay = replayRequest();
    if (replay !== null) {
      const trace = replay.trace ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
      const report = await simulate({ seed: replay.seed, steps: replay.steps, runIntoKnownBugs: replay.runIntoKnownBugs, ...(trace ? { trace } : {}) });
      expect(report.steps).toBe(replay.steps);
      return;
    }
    const seen = new Map<string, number>();
    const modes = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const report = await simulate({ seed, steps: STEPS });
      for (const [what, n] of report.counts) seen.set(what, (seen.get(what) ?? 0) + n);
      modes.add(report.profile.split(',')[0]!);
    }
    expect(EXPECTED.filter((what) => !seen.has(what)), 'faults and outcomes no seed reached').toEqual([]);
    expect([...modes].sort()).toEqual(['engine_only mode', 'reference mode']);
  }, TIMEOUT_MS);

  it('replays a seed exactly: the same command sequence and the same final state', async () => {
    // One seed of each store, so the file store's choices are replayed too, and of the two newer mechanisms.
    const seeds = [...Array(200).keys()].map((i) => i + 1).map((seed) => ({ seed, profile: profileFor(seed, new Prng(seed)) }));
    const only = (mechanism: string) => (p: { profile: ReturnType<typeof profileFor> }) => p.profile.mode === 'reference' && p.profile.mechanisms[0]!.mechanism === mechanism;
    const fileSeed = seeds.find((p) => p.profile.store === 'file' && only('auction')(p))!.seed;
    const memorySeed = seeds.find((p) => p.profile.store === 'memory' && only('reservation')(p))!.seed;
    for (const seed of [memorySeed, fileSeed]) {
      const runs: SimReport[] = [await simulate({ seed, steps: 150 }), await simulate({ seed, steps: 150 })];
      const [first, second] = runs.map((report) => ({ digest: report.digest, deliveries: report.deliveries, finalStateHash: report.finalStateHash, counts: [...report.counts] }));
      expect(second, `seed ${seed}`).toEqual(first);
      expect(first!.deliveries).toBeGreaterThan(100);
    }
    // A different seed is a different run.
    expect((await simulate({ seed: memorySeed + 1_000, steps: 150 })).digest).not.toBe((await simulate({ seed: memorySeed, steps: 150 })).digest);
  }, TIMEOUT_MS);
});
