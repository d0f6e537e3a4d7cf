// `npm start`: reads the environment, starts the gateway, prints where it listens, and shuts down gracefully on
// SIGTERM/SIGINT (stop accepting, let queued commands finish, close sockets with 1001 going away).
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfigFromEnv } from './config.ts';
import { DEMO_MERCHANT_ID, DEMO_OFFER_ID, demoMerchantKey, seedDemoOffer } from './dev-seed.ts';
import { createLogger } from './logger.ts';
import { parseMerchantKeyRecords, type MerchantKeyRecord } from './merchant-keys.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const production = process.env.NODE_ENV === 'production';
  let config;
  let merchantKeys: MerchantKeyRecord[];
  try {
    config = loadConfigFromEnv(process.env, () => randomBytes(32).toString('hex'));
    merchantKeys = parseMerchantKeyRecords(process.env.MERCHANT_KEYS ?? '');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) {
      process.stderr.write(`tuan: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  // Development without configured keys: a demo merchant whose key lives as long as this process.
  const demo = !production && merchantKeys.length === 0 ? demoMerchantKey() : null;
  if (demo) merchantKeys.push(demo.record);
  if (merchantKeys.length === 0) logger.warn('MERCHANT_KEYS is empty: no merchant can use the API');

  const server = await startServer({ config, merchantKeys, logger });
  if (demo) await seedDemoOffer(server);

  const lines = [`tuan listening on ${server.httpUrl}  (WebSocket: ${server.wsUrl})`];
  if (config.devTokens) lines.push(`development shopper tokens: POST ${server.httpUrl}/dev/shopper-tokens {"shopperId":"alice"}`);
  if (demo) lines.push(`demo merchant "${DEMO_MERCHANT_ID}", API key for this run: ${demo.apiKey}`, `demo offer: ${DEMO_OFFER_ID}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
