// One graceful stop under load, started through `npm start`: the server as npm starts it (a detached process
// group over a file store in a temporary directory), 16 shoppers over WebSockets and a merchant over HTTP
// (test/crash/load.ts), then one signal to the whole group (what a terminal's Ctrl-C does, and
// `kill -TERM -<pgid>`) or to npm alone (a supervisor that knows one pid). Shared by the suite
// (test/server/signals.test.ts) and the measuring loop (scripts/signal-stop-runs.ts).
//
// A stop counts as graceful when the server logged its "stopped gracefully" record, every process of the
// group exited with code 0, and the newest snapshot is at the journal's last seq (the next start replays
// nothing).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMerchantKey } from '../../gateway/index.ts';
import { openPersistence } from '../../persistence/index.ts';
import { Prng } from '../../simulations/prng.ts';
import { Ledger, LoadRun, emptyKnowledge, type LoadConfig } from '../crash/load.ts';
import { NpmStartedServer } from './npm-start.ts';

const TOKEN_SECRET = 'signal-test-secret-0123456789abcdef0123';
const OFFERS: Record<string, Record<string, unknown>> = {
  'tea-2': { inventory: 400, mechanism: { type: 'group', minSize: 2, maxSize: 3, windowMs: 400 } },
  'rice-3': { inventory: 400, mechanism: { type: 'group', minSize: 3, maxSize: 4, windowMs: 900 } },
  'lamp-5': { inventory: 600, mechanism: { type: 'group', minSize: 3, maxSize: 5, windowMs: 250 } },
};

export interface SignalStopOptions {
  signal: 'SIGTERM' | 'SIGINT';
  /** 'group': every process of npm's group gets it; 'leader': npm alone. */
  target: 'group' | 'leader';
  /**
   * Also send the signal straight to the server once it logged the first: the double delivery (once by the
   * group, once forwarded by a parent) made certain. Without waiting, the kernel may merge two deliveries of one
   * signal that arrive before the process runs, so whether the server sees two is left to the scheduler.
   */
  duplicate?: boolean;
  /** Answers the clients get before the signal is sent (the load keeps running while it lands). */
  answersBeforeSignal: number;
  seed: number;
}

export interface SignalStopReport {
  /** The server stopped gracefully and every process of the group exited with code 0. */
  graceful: boolean;
  /** The server's part alone: its graceful-stop record, no forced exit, the snapshot at the journal's last seq. */
  serverGraceful: boolean;
  /** npm's exit code (or the signal that ended it). */
  exit: number | string;
  loggedStopped: boolean;
  loggedForced: boolean;
  /** Deliveries of the signal the server logged as duplicates of the first. */
  duplicatesLogged: number;
  journalSeq: number;
  snapshotSeq: number | null;
  /** The server's output after the signal, to explain a stop that was not graceful. */
  tail: string;
}

export async function runSignalStop(options: SignalStopOptions): Promise<SignalStopReport> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tuan-signal-'));
  const merchant = generateMerchantKey('signal-merchant');
  let server: NpmStartedServer | null = null;
  try {
    server = await NpmStartedServer.start({
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      TOKEN_SECRET,
      MERCHANT_KEYS: merchant.record,
      DEV_TOKENS: 'off',
      RATE_SHOPPER: '100000/100000',
      RATE_CONNECTION: '100000/100000',
      RATE_MERCHANT: '100000/100000',
      RATE_PUBLIC: '100000/100000',
      TUAN_DATA_DIR: dataDir,
      // Snapshots by count while the load runs, so one may be in progress when the signal lands.
      SNAPSHOT_EVERY_ENTRIES: '200',
    });
    for (const [offerId, fields] of Object.entries(OFFERS)) {
      const response = await fetch(`${server.httpUrl}/v1/offers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `create-${offerId}` },
        body: JSON.stringify({ offerId, title: offerId, currency: 'CNY', basePriceMinor: 1_000, ...fields }),
      });
      if (response.status !== 201) throw new Error(`creating offer ${offerId} answered ${response.status}: ${await response.text()}`);
    }
    const config: LoadConfig = { tokenSecret: TOKEN_SECRET, merchantKey: merchant.apiKey, offerIds: Object.keys(OFFERS), shoppers: 16, depth: 2, merchantEvery: 8 };
    const run = new LoadRun(config, new Ledger(), new Prng(options.seed), emptyKnowledge(), 's', server.httpUrl);
    let answers = 0;
    const reached = new Promise<void>((resolve) => run.onAnswer(() => (++answers >= options.answersBeforeSignal ? resolve() : undefined)));
    await run.start();
    await reached;
    const before = server.stdout().length;
    if (options.target === 'group') server.signalGroup(options.signal);
    else server.signalLeader(options.signal);
    if (options.duplicate === true && (await server.waitForLine((line) => line.includes('"msg":"shutting down"'), before))) {
      try {
        process.kill(server.serverPid, options.signal);
      } catch {
        // It finished its shutdown already: nothing left to send the duplicate to.
      }
    }
    const exit = await server.closed();
    server = null;
    await run.ended();

    const records = exit.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string });
    const persistence = await openPersistence({ kind: 'file', dir: dataDir });
    let journalSeq: number;
    let snapshotSeq: number | null;
    try {
      journalSeq = await persistence.journal.lastSeq();
      const newest = (await persistence.snapshots.list()).find((info) => info.slot === 'newest');
      snapshotSeq = newest?.seq ?? null;
    } finally {
      await persistence.close();
    }
    const loggedStopped = records.some((record) => record.msg === 'stopped gracefully');
    const loggedClosed = records.some((record) => record.msg === 'closed');
    const loggedForced = records.some((record) => record.msg?.startsWith('second signal') === true);
    // The gateway's "closed" record stands in for "stopped gracefully" in code that predates that record.
    const serverGraceful = (loggedStopped || loggedClosed) && !loggedForced && snapshotSeq === journalSeq;
    return {
      graceful: serverGraceful && exit.code === 0,
      serverGraceful,
      exit: exit.code ?? exit.signal ?? 'unknown',
      loggedStopped,
      loggedForced,
      duplicatesLogged: records.filter((record) => record.msg?.startsWith('signal ignored') === true).length,
      journalSeq,
      snapshotSeq,
      tail: `${exit.stdout.slice(before).slice(-3_000)}\n${exit.stderr.slice(-2_000)}`,
    };
  } finally {
    await server?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}
