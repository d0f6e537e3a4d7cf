// Dead letters: effects that used up their attempts (or were refused for good). Kept in Redis, per owner — a
// merchant for its webhooks, `payments` for money effects — so they survive restarts and any gateway process
// can list them. Each owner's list is bounded: past `maxPerOwner` the oldest entries are dropped.
import type { Redis } from 'ioredis';
import type { EffectQueueName, EffectSpec } from './effect-spec.ts';
import type { EffectQueues } from './queues.ts';

export interface DeadLetter {
  effectId: string;
  /** `merchant:<merchantId>` for webhooks, `payments` for money effects (charges, refunds, orders, deposits). */
  owner: string;
  queue: EffectQueueName;
  effect: EffectSpec;
  /** The BullMQ job that failed (the effect id, or a redelivery's id). */
  jobId: string;
  attemptsMade: number;
  lastError: string;
  failedAtMs: number;
}

export function deadLetterOwner(effect: EffectSpec): string {
  return effect.kind === 'webhook' ? merchantOwner(effect.merchantId) : 'payments';
}

export function merchantOwner(merchantId: string): string {
  return `merchant:${merchantId}`;
}

// Upsert by effect id (a retried write or a second failure of a redelivery replaces the entry), then trim the
// oldest past the bound; the index and the entries change together in one script.
const ADD_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess > 0 then
  local old = redis.call('ZPOPMIN', KEYS[1], excess)
  for i = 1, #old, 2 do redis.call('HDEL', KEYS[2], old[i]) end
end
return excess`;

const REMOVE_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])`;

/**
 * Contract: `add` is atomic and idempotent per (owner, effect id); `list` returns the newest first; an owner
 * never holds more than `maxPerOwner` entries. Keys live under the effects prefix, so they share its hash tag.
 */
export class DeadLetterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly maxPerOwner = 1_000,
  ) {}

  async add(entry: DeadLetter): Promise<void> {
    const [index, entries] = this.keys(entry.owner);
    await this.redis.eval(ADD_SCRIPT, 2, index, entries, entry.effectId, entry.failedAtMs, JSON.stringify(entry), this.maxPerOwner);
  }

  async list(owner: string, limit = 100): Promise<DeadLetter[]> {
    const count = Math.min(Math.floor(limit), this.maxPerOwner);
    if (!(count > 0)) return [];
    const [index, entries] = this.keys(owner);
    const ids = await this.redis.zrevrange(index, 0, count - 1);
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(entries, ...ids);
    return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as DeadLetter);
  }

  async get(owner: string, effectId: string): Promise<DeadLetter | null> {
    const value = await this.redis.hget(this.keys(owner)[1], effectId);
    return value === null ? null : (JSON.parse(value) as DeadLetter);
  }

  /** Removes an entry; resolves whether it was there. */
  async remove(owner: string, effectId: string): Promise<boolean> {
    const [index, entries] = this.keys(owner);
    return (await this.redis.eval(REMOVE_SCRIPT, 2, index, entries, effectId)) === 1;
  }

  // `|` cannot occur in engine ids, so no merchant id can make one owner's keys look like another's.
  private keys(owner: string): [string, string] {
    const base = `${this.prefix}:dead-letters|${owner}`;
    return [`${base}|index`, `${base}|entries`];
  }
}

/**
 * What the gateway exposes to merchants and operators. Redelivery adds the effect again under a new jobId but
 * the same effect id, so the receiver sees the same idempotency key / webhook id and can drop a duplicate.
 */
export class DeadLetterAdmin {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly queues: Pick<EffectQueues, 'addAgain'>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A merchant's failed webhooks, newest first. */
  deadLetters(merchantId: string, limit = 100): Promise<DeadLetter[]> {
    return this.store.list(merchantOwner(merchantId), limit);
  }

  /** Money effects (charges, refunds, orders, deposits) that failed for good, newest first: for operators, not merchants. */
  paymentDeadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.store.list('payments', limit);
  }

  /** Queues a merchant's dead webhook again. Resolves false when there is no such entry. */
  redeliver(merchantId: string, effectId: string): Promise<boolean> {
    return this.requeue(merchantOwner(merchantId), effectId);
  }

  redeliverPayment(effectId: string): Promise<boolean> {
    return this.requeue('payments', effectId);
  }

  dismiss(merchantId: string, effectId: string): Promise<boolean> {
    return this.store.remove(merchantOwner(merchantId), effectId);
  }

  private async requeue(owner: string, effectId: string): Promise<boolean> {
    const entry = await this.store.get(owner, effectId);
    if (entry === null) return false;
    // Enqueue first, then remove: a crash between the two leaves the entry listed, and a second redelivery is
    // absorbed by the idempotency key.
    await this.queues.addAgain(entry.effect, `${entry.effectId}|redelivery|${this.clock()}`);
    await this.store.remove(owner, effectId);
    return true;
  }
}
