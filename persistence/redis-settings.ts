// What the Redis server's own settings promise about the journal. "Acknowledged" can only be as durable as
// Redis makes a write, so at boot the gateway reads these and logs each with what it means.
import type { Redis } from 'ioredis';
import { redisErrorMessage } from './redis-client.ts';

/** ok: keeps the promise; info: no bearing on it; warn: a window of loss; danger: acked commands can vanish. */
export type SettingLevel = 'ok' | 'info' | 'warn' | 'danger' | 'unknown';

export interface RedisSettingReport {
  name: 'maxmemory-policy' | 'appendonly' | 'appendfsync' | 'save';
  /** The value Redis reported, or null when it could not be read (CONFIG disabled or renamed, e.g. on a managed Redis). */
  value: string | null;
  level: SettingLevel;
  /** What this value promises about acknowledged commands, in a sentence fit for a log line. */
  promise: string;
}

export interface RedisSettingsReport {
  settings: RedisSettingReport[];
  /** The most serious level among the settings. */
  worst: SettingLevel;
}

const NAMES = ['maxmemory-policy', 'appendonly', 'appendfsync', 'save'] as const;
const SEVERITY: Record<SettingLevel, number> = { ok: 0, info: 0, unknown: 1, warn: 2, danger: 3 };

/** Reads the settings with CONFIG GET and assesses them. Never throws for a refused CONFIG: reports `unknown`. */
export async function checkRedisSettings(client: Redis): Promise<RedisSettingsReport> {
  const values: Partial<Record<(typeof NAMES)[number], string | null>> = {};
  const errors: Partial<Record<(typeof NAMES)[number], string>> = {};
  for (const name of NAMES) {
    try {
      const reply = (await client.config('GET', name)) as unknown as string[];
      values[name] = reply.length >= 2 ? String(reply[1]) : null;
    } catch (error) {
      values[name] = null;
      errors[name] = redisErrorMessage(error);
    }
  }
  const report = assessRedisSettings(values);
  for (const setting of report.settings) {
    const error = errors[setting.name];
    if (error !== undefined) setting.promise = `could not be read (${error}); ${setting.promise}`;
  }
  return report;
}

/** Pure assessment of setting values, so the wording is testable without a server. */
export function assessRedisSettings(values: Partial<Record<(typeof NAMES)[number], string | null>>): RedisSettingsReport {
  const aof = values.appendonly ?? null;
  const settings: RedisSettingReport[] = [
    assessEviction(values['maxmemory-policy'] ?? null),
    assessAof(aof),
    assessFsync(values.appendfsync ?? null, aof),
    assessSave(values.save ?? null, aof),
  ];
  const worst = settings.reduce<SettingLevel>((acc, s) => (SEVERITY[s.level] > SEVERITY[acc] ? s.level : acc), 'ok');
  return { settings, worst };
}

function assessEviction(value: string | null): RedisSettingReport {
  const name = 'maxmemory-policy';
  if (value === null) return { name, value, level: 'unknown', promise: 'unknown eviction policy: make sure it is noeviction, or the journal may be evicted' };
  if (value === 'noeviction') {
    return { name, value, level: 'ok', promise: 'when Redis is full, appends fail (the gateway answers unavailable) instead of data being evicted' };
  }
  if (value.startsWith('volatile-')) {
    return {
      name,
      value,
      level: 'warn',
      promise: 'evicts only keys with an expiry: the journal and snapshots have none, so they stay, but set noeviction to make that explicit',
    };
  }
  return { name, value, level: 'danger', promise: `${value} may evict the journal or a snapshot when memory is full: acknowledged commands can silently vanish` };
}

function assessAof(value: string | null): RedisSettingReport {
  const name = 'appendonly';
  if (value === null) return { name, value, level: 'unknown', promise: 'unknown whether the AOF is on: a Redis restart may lose acknowledged commands' };
  if (value === 'yes') return { name, value, level: 'ok', promise: 'every journal write goes to the append-only file; how soon it is on disk depends on appendfsync' };
  return {
    name,
    value,
    level: 'danger',
    promise: 'no append-only file: a Redis crash or restart loses every command since the last RDB save (a crash of this server alone loses nothing)',
  };
}

function assessFsync(value: string | null, aof: string | null): RedisSettingReport {
  const name = 'appendfsync';
  if (aof === 'no') return { name, value, level: 'info', promise: 'has no effect while appendonly is no' };
  switch (value) {
    case 'always':
      return { name, value, level: 'ok', promise: 'Redis fsyncs before it replies: an acknowledged command survives a Redis crash and a power loss' };
    case 'everysec':
      return {
        name,
        value,
        level: 'warn',
        promise: 'fsync about once a second: a Redis crash or power loss can lose up to about a second of acknowledged commands (two if the disk stalls)',
      };
    case 'no':
      return { name, value, level: 'danger', promise: 'the OS decides when to flush (about 30 s on Linux): a power loss or OS crash can lose that much' };
    default:
      return { name, value, level: 'unknown', promise: 'unknown fsync policy: assume a Redis crash can lose recent acknowledged commands' };
  }
}

function assessSave(value: string | null, aof: string | null): RedisSettingReport {
  const name = 'save';
  if (aof === 'yes') return { name, value, level: 'info', promise: 'RDB snapshots are a backup; durability comes from the append-only file' };
  if (value === null) return { name, value, level: 'unknown', promise: 'unknown RDB schedule' };
  if (value.trim() === '') return { name, value, level: 'danger', promise: 'no RDB snapshots and no AOF: nothing reaches disk, a Redis restart loses the whole journal' };
  return { name, value, level: 'warn', promise: `RDB snapshots on "${value}": a Redis crash loses what came after the last one` };
}
