// A store that holds no market (no snapshot, an empty journal) is either a new installation or one that lost
// its data; the real server creates an empty market only when told to (CREATE_MARKET=1, or by default outside
// production, saying so), and otherwise refuses to start with exit code 3.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { journalKey, snapshotKeys } from '../../persistence/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { ServerProcess } from '../../scripts/lib/server-process.ts';

const BASE = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', TOKEN_SECRET: 'create-market-secret-0123456789abcdefgh' };
const PRODUCTION = { ...BASE, NODE_ENV: 'production' };

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

async function emptyDataDir(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'tuan-market-'));
  return dir;
}

describe('a file store with no market', () => {
  it('refuses to start in production without CREATE_MARKET (exit 3), and leaves no market behind', async () => {
    const dataDir = await emptyDataDir();
    const exit = await ServerProcess.runToExit({ ...PRODUCTION, TUAN_DATA_DIR: dataDir });
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/cannot start: the file store in .* holds no market \(no snapshot and an empty journal; NODE_ENV=production and CREATE_MARKET unset\)\. .*CREATE_MARKET=1/);
    expect(exit.stdout).not.toContain('tuan listening');
    // Refusing again: the refusal left no market behind.
    expect((await ServerProcess.runToExit({ ...PRODUCTION, TUAN_DATA_DIR: dataDir })).code).toBe(3);
  });

  it('creates one with CREATE_MARKET=1, and the next start without it finds that market', async () => {
    const dataDir = await emptyDataDir();
    const created = await ServerProcess.start({ ...PRODUCTION, CREATE_MARKET: '1', TUAN_DATA_DIR: dataDir });
    expect(created.output().stdout).toMatch(/created a new, empty one \(CREATE_MARKET=1/);
    expect((await created.terminate()).code).toBe(0);
    // No command ran in between: the creation itself (a snapshot at seq 0) is what the next start finds.
    const again = await ServerProcess.start({ ...PRODUCTION, TUAN_DATA_DIR: dataDir });
    expect(again.recovered).toMatchObject({ lastSeq: 0, snapshotSeq: 0 });
    expect((await again.terminate()).code).toBe(0);
  });

  it('creates one by default in development, saying so in the log, and CREATE_MARKET=0 refuses there too', async () => {
    expect((await ServerProcess.runToExit({ ...BASE, CREATE_MARKET: '0', TUAN_DATA_DIR: await emptyDataDir() })).code).toBe(3);
    await rm(dir!, { recursive: true, force: true });
    const server = await ServerProcess.start({ ...BASE, TUAN_DATA_DIR: await emptyDataDir() });
    expect(server.output().stdout).toMatch(/created a new, empty one \(development default: NODE_ENV is not production/);
    expect((await server.terminate()).code).toBe(0);
  });

  it('refuses an invalid CREATE_MARKET as a configuration error (exit 2)', async () => {
    const exit = await ServerProcess.runToExit({ ...PRODUCTION, CREATE_MARKET: 'maybe', TUAN_DATA_DIR: await emptyDataDir() });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/CREATE_MARKET/);
  });
});

describe('a Redis that lost its data', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  it('refuses to start in production instead of starting an empty market (exit 3)', async () => {
    const keyPrefix = '{lost}:';
    const env = { ...PRODUCTION, REDIS_URL: redis.url, REDIS_KEY_PREFIX: keyPrefix };
    const first = await ServerProcess.start({ ...env, CREATE_MARKET: '1' });
    expect((await first.terminate()).code).toBe(0);
    expect((await ServerProcess.start(env).then((server) => server.terminate())).code).toBe(0);

    // As after a restart without persistence: this market's keys are gone (only ours, by name).
    const admin = new Redis(redis.url);
    await admin.del(journalKey(keyPrefix), ...Object.values(snapshotKeys(keyPrefix)));
    await admin.quit();
    const exit = await ServerProcess.runToExit(env);
    expect(exit.code).toBe(3);
    expect(exit.stderr).toMatch(/Redis at .* \(keys under \{lost\}:\) holds no market/);
  });
});
