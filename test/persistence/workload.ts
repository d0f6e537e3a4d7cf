// A reproducible stream of realistic commands for persistence tests: offers are created, groups open, fill,
// form, complete and fail at their deadlines, shoppers leave, merchants edit and pause, clock ticks arrive.
// The generator drives a reference engine while it builds the stream, so joins and leaves name real groups
// and members; a fresh engine fed the same commands does the same work.
import { Engine, parseCommand, type Command } from '../../engine/index.ts';

export interface Workload {
  commands: Command[];
  /** The reference engine after every command, for comparing recovered states against. */
  engine: Engine;
  accepted: number;
}

/** mulberry32: small, fast, and good enough to pick test actions from a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const OFFERS = ['tea', 'rice', 'bike'];

export function makeWorkload(seed: number, count: number, startMs = 1_700_000_000_000): Workload {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const engine = new Engine();
  const commands: Command[] = [];
  let nowMs = startMs;
  let accepted = 0;

  const send = (raw: Record<string, unknown>) => {
    const parsed = parseCommand({ nowMs, ...raw });
    if (!parsed.ok) throw new Error(`workload made a bad command (seed ${seed}): ${parsed.message}`);
    commands.push(parsed.command);
    if (engine.apply(parsed.command).result.ok) accepted++;
  };

  OFFERS.forEach((offerId, i) => {
    send({
      type: 'create_offer',
      merchantId: `m${i}`,
      offerId,
      title: `${offerId} 团购 — group buy`,
      currency: 'CNY',
      inventory: 200 + i * 100,
      basePriceMinor: 10_000 + i * 2_500,
      perShopperLimit: 5,
      ...(i === 2 ? { endMs: startMs + 3_600_000 } : {}),
      mechanism: {
        type: 'group',
        minSize: 2 + i,
        maxSize: i === 1 ? undefined : 6 + i,
        windowMs: 20_000 + i * 10_000,
        tiers: [
          { minSize: 2, priceMinor: 9_000 + i * 2_000 },
          { minSize: 4, priceMinor: 8_000 + i * 2_000 },
        ],
        leaderDiscountBps: 500,
        newcomerOnly: i === 2,
        autoFillMaxSeats: i === 0 ? 1 : 0,
      },
    });
  });

  while (commands.length < count) {
    nowMs += Math.floor(random() * 1_500);
    const offerId = pick(OFFERS);
    const shopperId = `s${Math.floor(random() * 60)}`;
    const newcomer = random() < 0.5;
    const live = engine.groupsOf(offerId);
    const roll = random();
    const key = random() < 0.2 ? { idempotencyKey: `k${commands.length % 40}` } : {};
    if (roll < 0.2) {
      send({ type: 'open_group', shopperId, newcomer, offerId, qty: 1 + Math.floor(random() * 2), ...key });
    } else if (roll < 0.5 && live.length > 0) {
      send({ type: 'join_group', shopperId, newcomer, groupId: pick(live).groupId, ...key });
    } else if (roll < 0.7) {
      send({ type: 'match_group', shopperId, newcomer, offerId, ...key });
    } else if (roll < 0.8 && live.length > 0) {
      const group = pick(live);
      send({ type: 'leave_group', shopperId: pick(group.members), groupId: group.groupId });
    } else if (roll < 0.9) {
      nowMs += Math.floor(random() * 20_000);
      send({ type: 'tick' });
    } else if (roll < 0.95) {
      const merchantId = `m${OFFERS.indexOf(offerId)}`;
      send({ type: random() < 0.5 ? 'pause_offer' : 'resume_offer', merchantId, offerId });
    } else {
      const merchantId = `m${OFFERS.indexOf(offerId)}`;
      send({ type: 'edit_offer', merchantId, offerId, patch: { title: `${offerId} #${commands.length}`, leaderDiscountBps: Math.floor(random() * 1_000) } });
    }
  }
  return { commands, engine, accepted };
}
