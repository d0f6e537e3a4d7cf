// Snapshots in Redis: two hashes, `<prefix>snapshot:newest` and `<prefix>snapshot:previous`, each with fields
// `format`, `seq`, `hash` (the engine's state hash), `crc` (CRC-32 of `data`) and `data` (the snapshot JSON).
// A save is one Lua script, so it is atomic: the newest moves to previous and the new record becomes newest
// together, or nothing changes.
import type { Redis } from 'ioredis';
import type { EngineSnapshot } from '../engine/index.ts';
import { checksum } from './codec.ts';
import { redisErrorMessage } from './redis-client.ts';
import { quit } from './redis-journal.ts';
import {
  SnapshotCorruptError,
  SnapshotOrderError,
  SnapshotUnavailableError,
  type SnapshotInfo,
  type SnapshotRecord,
  type SnapshotSlot,
  type SnapshotStore,
} from './snapshots.ts';

export const REDIS_SNAPSHOT_FORMAT = 'tuan-snapshot/1';

/**
 * KEYS[1] newest, KEYS[2] previous; ARGV: seq, hash, crc, data, format. A lower seq than the newest is refused;
 * the same seq replaces the newest in place so `previous` stays strictly older.
 */
const SAVE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'seq')
if current then
  if tonumber(current) > tonumber(ARGV[1]) then
    return redis.error_reply('TUANSNAP the newest snapshot is at seq ' .. current .. ', newer than ' .. ARGV[1])
  end
  if current ~= ARGV[1] then redis.call('RENAME', KEYS[1], KEYS[2]) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'format', ARGV[5], 'seq', ARGV[1], 'hash', ARGV[2], 'crc', ARGV[3], 'data', ARGV[4])
return 1
`;

interface ScriptedRedis {
  tuanSnapshotSave(newestKey: string, previousKey: string, ...args: string[]): Promise<unknown>;
}

export interface RedisSnapshotOptions {
  /** Same prefix as the journal's, so one engine's keys sit together (and on one Cluster slot with a hash tag). */
  keyPrefix: string;
  /** Whether `close()` disconnects the client (false when it is shared). */
  ownsClient?: boolean;
}

export function snapshotKeys(keyPrefix: string): Record<SnapshotSlot, string> {
  return { newest: `${keyPrefix}snapshot:newest`, previous: `${keyPrefix}snapshot:previous` };
}

/** Snapshot store in Redis. Contract: `SnapshotStore` in snapshots.ts. */
export class RedisSnapshotStore implements SnapshotStore {
  private readonly keys: Record<SnapshotSlot, string>;
  private readonly redis: Redis & ScriptedRedis;

  constructor(
    client: Redis,
    private readonly options: RedisSnapshotOptions,
  ) {
    this.keys = snapshotKeys(options.keyPrefix);
    const scripted = client as Redis & Partial<ScriptedRedis>;
    if (typeof scripted.tuanSnapshotSave !== 'function') client.defineCommand('tuanSnapshotSave', { numberOfKeys: 2, lua: SAVE_SCRIPT });
    this.redis = client as Redis & ScriptedRedis;
  }

  async save(record: SnapshotRecord): Promise<void> {
    const data = JSON.stringify(record.snapshot);
    try {
      await this.redis.tuanSnapshotSave(this.keys.newest, this.keys.previous, String(record.seq), record.hash, checksum(data), data, REDIS_SNAPSHOT_FORMAT);
    } catch (error) {
      const message = redisErrorMessage(error);
      if (message.startsWith('TUANSNAP')) throw new SnapshotOrderError(`snapshot at seq ${record.seq} refused: ${message.slice(9)}`);
      throw new SnapshotUnavailableError(`could not save the snapshot at seq ${record.seq} to Redis: ${message}`, { cause: error });
    }
  }

  async load(slot: SnapshotSlot = 'newest'): Promise<SnapshotRecord | null> {
    const key = this.keys[slot];
    const fields = await this.call(`load ${key}`, () => this.redis.hgetall(key));
    if (Object.keys(fields).length === 0) return null;
    const { format, seq, hash, crc, data } = fields;
    if (format !== REDIS_SNAPSHOT_FORMAT) throw new SnapshotCorruptError(`${key} has format "${String(format)}", expected "${REDIS_SNAPSHOT_FORMAT}"`, key);
    if (seq === undefined || !/^\d{1,16}$/.test(seq) || hash === undefined || crc === undefined || data === undefined) {
      throw new SnapshotCorruptError(`${key} lacks one of its fields seq, hash, crc, data`, key);
    }
    const actual = checksum(data);
    if (actual !== crc) throw new SnapshotCorruptError(`${key} (seq ${seq}) fails its checksum (stored ${crc}, computed ${actual})`, key);
    try {
      return { seq: Number(seq), hash, snapshot: JSON.parse(data) as EngineSnapshot };
    } catch (error) {
      throw new SnapshotCorruptError(`${key} (seq ${seq}) is not JSON: ${(error as Error).message}`, key);
    }
  }

  async list(): Promise<SnapshotInfo[]> {
    const infos: SnapshotInfo[] = [];
    for (const slot of ['newest', 'previous'] as const) {
      const [seq, hash] = await this.call(`list ${this.keys[slot]}`, () => this.redis.hmget(this.keys[slot], 'seq', 'hash'));
      if (seq != null && hash != null) infos.push({ slot, seq: Number(seq), hash });
    }
    return infos;
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await quit(this.redis);
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new SnapshotUnavailableError(`could not ${what} in Redis: ${redisErrorMessage(error)}`, { cause: error });
    }
  }
}
