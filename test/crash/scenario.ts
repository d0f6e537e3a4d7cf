// The crash scenario, shared by the `npm test` version (test/crash/*.test.ts) and the long one
// (test/crash/crash-long.ts): the real server as a child process under continuous mixed load over real sockets,
// killed with SIGKILL at seeded random moments, restarted, and checked each time (verifier.ts): every
// acknowledged command is in the journal with the answer the client got, nothing applied twice, no overselling,
// and the restarted server recovered exactly the state a replay of the whole journal from seq 1 reaches.
// Snapshots are on (frequent, so kills land during them too) and journal trimming is off, so the replay from
// the first command is always possible. The seed is in every failure message.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMerchantKey } from '../../gateway/index.ts';
import { Prng } from '../../simulations/prng.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { Ledger, LoadRun, emptyKnowledge, type LoadConfig } from './load.ts';
import { ServerProcess } from '../../scripts/lib/server-process.ts';
import { Verifier, fileSource, redisSource, type JournalSource } from './verifier.ts';

export interface ScenarioOptions {
  store: 'file' | 'redis';
  kills: number;
  seed: number;
  /** Answers the clients get between a restart and the next kill: drawn uniformly from this range. */
  answersBeforeKill: readonly [number, number];
  /** Progress lines (the long run prints them). */
  log?: (line: string) => void;
}

export interface ScenarioReport {
  seed: number;
  store: string;
  kills: number;
  journalEntries: number;
  answersChecked: number;
  inDoubtAtEnd: number;
  restartsFromSnapshot: number;
  replayedAtRestartMax: number;
  restartMsMean: number;
  /** How the answers the clients got break down: 'ok' or the refusal code, most frequent first. */
  outcomes: Record<string, number>;
}

const TOKEN_SECRET = 'crash-test-secret-0123456789abcdef0123';
const KEY_PREFIX = '{crash}:';
const OFFERS: Record<string, Record<string, unknown>> = {
  'tea-2': { inventory: 40, perShopperLimit: 4, mechanism: { type: 'group', minSize: 2, maxSize: 3, windowMs: 400 } },
  'rice-3': { inventory: 40, mechanism: { type: 'group', minSize: 3, maxSize: 4, windowMs: 900, autoFillMaxSeats: 1 } },
  'bike-open': { inventory: 30, mechanism: { type: 'group', minSize: 2, windowMs: 1_500, tiers: [{ minSize: 2, priceMinor: 900 }, { minSize: 4, priceMinor: 800 }] } },
  'lamp-5': { inventory: 60, mechanism: { type: 'group', minSize: 3, maxSize: 5, windowMs: 250, leaderDiscountBps: 500 } },
};

export async function runCrashScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { seed, log = () => undefined } = options;
  const prng = new Prng(seed);
  const merchant = generateMerchantKey('crash-merchant');
  let redis: RedisServer | null = null;
  let dataDir: string | null = null;
  let server: ServerProcess | null = null;
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    TOKEN_SECRET,
    MERCHANT_KEYS: merchant.record,
    DEV_TOKENS: 'off',
    DEBUG_STATE: 'on',
    RATE_SHOPPER: '100000/100000',
    RATE_CONNECTION: '100000/100000',
    RATE_MERCHANT: '100000/100000',
    RATE_PUBLIC: '100000/100000',
    SNAPSHOT_EVERY_ENTRIES: '150',
    SNAPSHOT_EVERY_MS: '400',
    JOURNAL_TRIM: 'off',
    SHUTDOWN_GRACE_MS: '2000',
  };
  let source: JournalSource;
  if (options.store === 'redis') {
    redis = await RedisServer.start({ appendonly: true, appendfsync: 'everysec' });
    Object.assign(env, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: KEY_PREFIX });
    source = redisSource(redis.url, KEY_PREFIX);
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'tuan-crash-'));
    env.TUAN_DATA_DIR = dataDir;
    source = fileSource(dataDir);
  }
  const verifier = new Verifier(source);
  const ledger = new Ledger();
  const shared = emptyKnowledge();
  const config: LoadConfig = { tokenSecret: TOKEN_SECRET, merchantKey: merchant.apiKey, offerIds: Object.keys(OFFERS), shoppers: 16, depth: 2, merchantEvery: 8 };
  const fail = (message: string): never => {
    const output = server?.output();
    throw new Error(`[crash seed ${seed}, ${options.store} store] ${message}${output ? `\n--- server stderr (tail) ---\n${output.stderr.slice(-4_000)}` : ''}`);
  };
  const check = (): void => {
    if (verifier.problems.length > 0) fail(`after seq ${verifier.lastSeq}:\n  ${verifier.problems.join('\n  ')}`);
  };
  const restarts: { ms: number; snapshotSeq: number | null; replayed: number }[] = [];
  const restart = async (): Promise<ServerProcess> => {
    const startedAt = performance.now();
    const started = await ServerProcess.start(env).catch((error: unknown) => fail(`restart failed: ${(error as Error).message}`));
    restarts.push({ ms: performance.now() - startedAt, snapshotSeq: started.recovered.snapshotSeq, replayed: started.recovered.replayed });
    const { lastSeq, stateHash } = started.recovered;
    if (lastSeq !== verifier.lastSeq || stateHash !== verifier.hashAt(verifier.lastSeq)) {
      await started.kill();
      fail(`the server recovered seq ${lastSeq} hash ${stateHash}, but a replay of the journal from seq 1 reaches seq ${verifier.lastSeq} hash ${verifier.hashAt(verifier.lastSeq)}`);
    }
    return started;
  };

  try {
    server = await ServerProcess.start(env);
    for (const [offerId, fields] of Object.entries(OFFERS)) {
      const response = await fetch(`${server.httpUrl}/v1/offers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `create-${offerId}` },
        body: JSON.stringify({ offerId, title: offerId, currency: 'CNY', basePriceMinor: 1_000, ...fields }),
      });
      if (response.status !== 201) fail(`creating offer ${offerId} answered ${response.status}: ${await response.text()}`);
      shared.inventory.set(offerId, Number(fields.inventory));
    }

    for (let kill = 1; kill <= options.kills; kill++) {
      const run = new LoadRun(config, ledger, prng, shared, `k${kill}`, server.httpUrl);
      const target = prng.int(options.answersBeforeKill[0], options.answersBeforeKill[1]);
      const extraDelayMs = prng.chance(0.5) ? prng.int(0, 40) : 0;
      let answers = 0;
      const reached = new Promise<void>((resolve) => run.onAnswer(() => (++answers >= target ? resolve() : undefined)));
      await run.start();
      await reached;
      // Half the kills land a random few milliseconds later rather than right after an answer.
      if (extraDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, extraDelayMs));
      await server.kill();
      await run.ended();
      const added = await verifier.catchUp();
      verifier.checkLedger(ledger);
      check();
      log(`kill ${kill}/${options.kills}: journal at seq ${verifier.lastSeq} (+${added}), ${ledger.acked} keys answered, ${ledger.inDoubt.size} in doubt`);
      server = await restart();
      await checkStock(server, config.offerIds, merchant.apiKey, fail);
    }

    // The end: a graceful stop must leave a snapshot covering everything, and a debug read must match a replay.
    const run = new LoadRun(config, ledger, prng, shared, 'final', server.httpUrl);
    let answers = 0;
    const reached = new Promise<void>((resolve) => run.onAnswer(() => (++answers >= 200 ? resolve() : undefined)));
    await run.start();
    await reached;
    await run.stop();
    const debug = (await (await fetch(`${server.httpUrl}/debug/state`)).json()) as { appliedSeq: number; stateHash: string; invariantViolations: string[] };
    const exit = await server.terminate();
    server = null;
    if (exit.code !== 0) fail(`graceful shutdown exited with ${exit.code ?? exit.signal}\n${exit.stderr}`);
    await verifier.catchUp(debug.appliedSeq);
    verifier.checkLedger(ledger);
    check();
    if (verifier.hashAt(debug.appliedSeq) !== debug.stateHash) fail(`/debug/state said seq ${debug.appliedSeq} hash ${debug.stateHash}; the replay gives ${verifier.hashAt(debug.appliedSeq)}`);
    if (debug.invariantViolations.length > 0) fail(`live invariants broken: ${debug.invariantViolations.join('; ')}`);
    server = await restart();
    const last = restarts[restarts.length - 1]!;
    if (last.replayed !== 0) fail(`after a graceful shutdown the restart replayed ${last.replayed} entries; the shutdown snapshot should cover them all`);
    const finalExit = await server.terminate();
    server = null;
    if (finalExit.code !== 0) fail(`the last graceful shutdown exited with ${finalExit.code ?? finalExit.signal}`);

    return {
      seed,
      store: options.store,
      kills: options.kills,
      journalEntries: verifier.lastSeq,
      answersChecked: [...ledger.answers.values()].reduce((sum, entry) => sum + entry.answers.length, 0),
      inDoubtAtEnd: ledger.inDoubt.size,
      restartsFromSnapshot: restarts.filter((r) => r.snapshotSeq !== null).length,
      replayedAtRestartMax: Math.max(...restarts.map((r) => r.replayed)),
      restartMsMean: Math.round(restarts.reduce((sum, r) => sum + r.ms, 0) / restarts.length),
      outcomes: outcomeCounts(ledger),
    };
  } finally {
    if (server) await server.kill();
    await redis?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

function outcomeCounts(ledger: Ledger): Record<string, number> {
  const counts = new Map<string, number>();
  for (const { answers } of ledger.answers.values()) {
    for (const answer of answers) {
      const name = answer.ok ? 'ok' : answer.code ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/** Through the HTTP read API of the live server: held + sold ≤ inventory for every offer. */
async function checkStock(server: ServerProcess, offerIds: readonly string[], merchantKey: string, fail: (message: string) => never): Promise<void> {
  for (const offerId of offerIds) {
    const response = await fetch(`${server.httpUrl}/v1/offers/${offerId}`, { headers: { authorization: `Bearer ${merchantKey}` } });
    if (response.status !== 200) fail(`GET /v1/offers/${offerId} answered ${response.status}`);
    const { offer } = (await response.json()) as { offer: { inventory: number; heldUnits: number; soldUnits: number } };
    if (offer.heldUnits + offer.soldUnits > offer.inventory) fail(`the live server oversold ${offerId}: ${JSON.stringify(offer)}`);
  }
}
