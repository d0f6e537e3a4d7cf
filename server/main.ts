// `npm start`: reads the environment, opens the journal (Redis with REDIS_URL, else files in TUAN_DATA_DIR),
// recovers the engine from it (with REDIS_URL also the effects: outbox, BullMQ queues and workers), starts the
// gateway, prints where it listens, and shuts down gracefully on SIGTERM/SIGINT (stop accepting, let queued commands finish, close sockets with 1001 going away, write a
// snapshot, close the store).
//
// Exit codes: 0 after a graceful shutdown; 1 when the store cannot be opened or read, or shutdown failed;
// 2 for a bad configuration; 3 when recovery refuses the stored data (a gap, a damaged entry, a hash mismatch).
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfigFromEnv } from '../gateway/config.ts';
import { DEMO_MERCHANT_ID, DEMO_OFFER_ID, demoMerchantKey, seedDemoOffers } from './dev-seed.ts';
import { bootServer, type BootedServer } from './boot.ts';
import { BootError } from '../runtime/durable-boot.ts';
import { createLogger } from '../gateway/logger.ts';
import { parseMerchantKeyRecords, type MerchantKeyRecord } from '../gateway/merchant-keys.ts';

function exitWith(message: string, code: number): never {
  process.stderr.write(`tuan: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const production = process.env.NODE_ENV === 'production';
  let config;
  let merchantKeys: MerchantKeyRecord[];
  try {
    config = loadConfigFromEnv(process.env, () => randomBytes(32).toString('hex'));
    merchantKeys = parseMerchantKeyRecords(process.env.MERCHANT_KEYS ?? '');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) exitWith(error.message, 2);
    throw error;
  }
  const logger = createLogger(config.logLevel);

  // Development without configured keys: a demo merchant whose key lives as long as this process.
  const demo = !production && merchantKeys.length === 0 ? demoMerchantKey() : null;
  if (demo) merchantKeys.push(demo.record);
  if (merchantKeys.length === 0) logger.warn('MERCHANT_KEYS is empty: no merchant can use the API');

  let booted: BootedServer;
  try {
    booted = await bootServer({ env: process.env, config, merchantKeys, logger });
  } catch (error) {
    if (error instanceof BootError) {
      logger.fatal({ err: error.cause ?? error }, 'cannot start');
      exitWith(`cannot start: ${error.message}`, error.exitCode);
    }
    throw error;
  }
  const { server, persistence, recovered } = booted;

  // A restart finds the demo offers in the recovered state; each is listed only when missing.
  const demoOffers = demo ? await seedDemoOffers(server) : [];

  // Signal handlers before the "listening" line: whoever reads that line may send SIGTERM at once, and a
  // signal with no handler yet would kill the process without its shutdown snapshot.
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    booted
      .close()
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const where = persistence.config.kind === 'redis' ? 'Redis (REDIS_URL)' : `files in ${persistence.config.dir}`;
  const lines = [
    `tuan listening on ${server.httpUrl}  (WebSocket: ${server.wsUrl})`,
    `web console: ${server.httpUrl}/console`,
    `journal and snapshots: ${where}; recovered up to seq ${recovered.lastSeq}`,
    booted.effects ? `effects: on (BullMQ on REDIS_URL, simulated payment provider)` : 'effects: OFF (no REDIS_URL): no orders, payments or webhooks are sent',
  ];
  if (config.devTokens) lines.push(`development shopper tokens: POST ${server.httpUrl}/dev/shopper-tokens {"shopperId":"alice"}`);
  if (demo) {
    lines.push(
      `demo merchant "${DEMO_MERCHANT_ID}", API key for this run: ${demo.apiKey}`,
      'demo offers:',
      ...demoOffers.map(({ offerId, about }) => `  ${offerId}: ${about}`),
      `  merchant console, signed in: ${server.httpUrl}/console#/merchant?key=${demo.apiKey}`,
      `  shopper demo: ${server.httpUrl}/console#/shopper?offer=${DEMO_OFFER_ID}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
