// The journal in a Redis Stream. Each entry is one stream item whose id is `<seq>-0`, with two fields:
// `c` (the command as JSON) and `k` (CRC-32 of "<seq>\n<c>"). Deriving the id from the seq lets Redis itself keep
// the order: an id at or below the stream's top is refused by XADD, and the append script below also refuses
// a gap, so the stream is always the contiguous prefix 1..N of what was sent, whoever sends it.
import type { Redis } from 'ioredis';
import { decodeRedisFields, encodeRedisFields } from './codec.ts';
import {
  JournalClosedError,
  JournalCorruptError,
  JournalSequenceError,
  JournalUnavailableError,
  checkConsecutive,
  type Journal,
  type JournalEntry,
  type StoredEntry,
} from './journal.ts';
import { redisErrorMessage } from './redis-client.ts';

/**
 * Appends one batch atomically: checks that the stream's last generated id is exactly the entry before the
 * first one (`ARGV[1]`), then one XADD per entry. A Lua script rather than MULTI because MULTI cannot check
 * before it writes: a gap would be written and only detected at recovery. Nothing is written when the check
 * fails. `last-generated-id` survives XTRIM, so a fully trimmed stream still knows its last seq.
 * KEYS[1] stream; ARGV[1] expected previous id; then per entry: id, command JSON, format version, checksum.
 */
const APPEND_SCRIPT = `
local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] break end
  end
end
if last ~= ARGV[1] then
  return redis.error_reply('TUANSEQ the stream ends at ' .. last .. ', the batch expects ' .. ARGV[1])
end
for i = 2, #ARGV, 4 do
  redis.call('XADD', KEYS[1], ARGV[i], 'c', ARGV[i + 1], 'v', ARGV[i + 2], 'k', ARGV[i + 3])
end
return #ARGV
`;

/** The stream's last generated id, or '0-0' when it does not exist. */
const LAST_ID_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return '0-0' end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then return info[i + 1] end
end
return redis.error_reply('XINFO STREAM has no last-generated-id')
`;

interface ScriptedRedis {
  tuanJournalAppend(key: string, ...args: string[]): Promise<unknown>;
  tuanJournalLastId(key: string): Promise<string>;
}

export interface RedisJournalOptions {
  /** Prefix of every key this journal uses. Put a hash tag in it (`{tuan:p1}:`) to keep keys on one Cluster slot. */
  keyPrefix: string;
  /**
   * Whether `close()` disconnects the client. False when the client is shared (with the snapshot store or the
   * gateway's other uses) and its owner closes it.
   */
  ownsClient?: boolean;
}

export function journalKey(keyPrefix: string): string {
  return `${keyPrefix}journal`;
}

/** Journal in a Redis Stream. Contract: `Journal` in journal.ts; durability per docs/durability.md. */
export class RedisJournal implements Journal {
  private readonly key: string;
  private readonly redis: Redis & ScriptedRedis;
  private closed = false;

  constructor(
    client: Redis,
    private readonly options: RedisJournalOptions,
  ) {
    this.key = journalKey(options.keyPrefix);
    this.redis = defineScripts(client);
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    if (entries.length === 0) return;
    checkConsecutive(entries, null);
    const args: string[] = [`${entries[0]!.seq - 1}-0`];
    for (const entry of entries) {
      const { payload, version, crc } = encodeRedisFields(entry);
      args.push(`${entry.seq}-0`, payload, version, crc);
    }
    try {
      await this.redis.tuanJournalAppend(this.key, ...args);
    } catch (error) {
      const message = redisErrorMessage(error);
      if (message.startsWith('TUANSEQ')) {
        throw new JournalSequenceError(`Redis refused seq ${entries[0]!.seq}: ${message.slice(8)}`, null, entries[0]!.seq);
      }
      throw new JournalUnavailableError(`Redis journal append of seq ${entries[0]!.seq}..${entries[entries.length - 1]!.seq} failed: ${message}`, {
        cause: error,
      });
    }
  }

  async *readFrom(fromSeq: number, batchSize = 1_000): AsyncIterable<readonly StoredEntry[]> {
    const fetch = (start: number) => {
      const request = this.call('read', () => this.redis.xrange(this.key, `${start}-0`, '+', 'COUNT', batchSize));
      // A read-ahead the consumer never awaits (it stopped early) must not surface as an unhandled rejection.
      request.catch(() => undefined);
      return request;
    };
    let next = fetch(Math.max(1, fromSeq));
    for (;;) {
      if (this.closed) throw new JournalClosedError('the journal is closed');
      const items = await next;
      if (items.length === 0) return;
      // Read-ahead: Redis prepares the next batch while this one is decoded and applied (recovery's hot loop).
      const lastId = items[items.length - 1]![0];
      next = fetch(seqOfId(lastId, this.key) + 1);
      const batch: StoredEntry[] = [];
      for (const [id, fields] of items) {
        const seq = seqOfId(id, this.key);
        batch.push(decodeRedisFields(seq, fieldOf(fields, 'c'), fieldOf(fields, 'k'), `${this.key} id ${id}`, fieldOf(fields, 'v')));
      }
      yield batch;
    }
  }

  async trimBefore(seq: number): Promise<void> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    // Exact MINID (no `~`): trims happen once per snapshot, and exact trimming keeps the contract simple.
    await this.call('trim', () => this.redis.xtrim(this.key, 'MINID', `${seq}-0`));
  }

  async lastSeq(): Promise<number> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    const id = await this.call('read the last seq of', () => this.redis.tuanJournalLastId(this.key));
    return seqOfId(id, this.key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsClient) await quit(this.redis);
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new JournalUnavailableError(`could not ${what} the Redis journal ${this.key}: ${redisErrorMessage(error)}`, { cause: error });
    }
  }
}

function defineScripts(client: Redis): Redis & ScriptedRedis {
  const scripted = client as Redis & Partial<ScriptedRedis>;
  // defineCommand sends EVALSHA and falls back to EVAL when Redis lost its script cache (e.g. after a restart).
  if (typeof scripted.tuanJournalAppend !== 'function') client.defineCommand('tuanJournalAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
  if (typeof scripted.tuanJournalLastId !== 'function') client.defineCommand('tuanJournalLastId', { numberOfKeys: 1, lua: LAST_ID_SCRIPT });
  return client as Redis & ScriptedRedis;
}

/** `<seq>-0` → seq; any other id was not written by this journal and is reported as corruption. */
function seqOfId(id: string, key: string): number {
  const match = /^(\d{1,16})-0$/.exec(id);
  const seq = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(seq)) throw new JournalCorruptError(`stream ${key} holds id ${id}, which is not <seq>-0`, null, `${key} id ${id}`);
  return seq;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Closes a client politely when it is connected, at once otherwise (QUIT would wait for a reconnect). */
export async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting.
    }
  }
  client.disconnect();
}
