// `npm start`: reads the environment, opens the journal (Redis with REDIS_URL, else files in TUAN_DATA_DIR),
// recovers the engine from it (with REDIS_URL also the effects: outbox, BullMQ queues and workers), starts the
// gateway, prints where it listens, and shuts down gracefully on SIGTERM/SIGINT (stop accepting, let queued
// commands finish, close sockets with 1001 going away, write a snapshot, close the store).
//
// Signals (shutdown-signals.ts): one SIGTERM or SIGINT is one graceful shutdown, however many times it is
// delivered; the same signal again within 2 s of the first is a duplicate (a process group's signal forwarded by
// npm) and is only logged; a signal after that forces the exit without the shutdown snapshot.
//
// Exit codes: 0 after a graceful shutdown; 1 when the store cannot be opened or read, or shutdown failed;
// 2 for a bad configuration; 3 when recovery refuses the stored data (a gap, a damaged entry, a hash mismatch);
// 4 when the port cannot be listened on (another server has it); 128 + the signal's number (130 for SIGINT,
// 143 for SIGTERM) when a second signal forced the exit.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { ConfigError, loadConfigFromEnv } from '../gateway/config.ts';
import { DEMO_MERCHANT_ID, DEMO_OFFER_ID, demoMerchantKey, seedDemoOffers } from './dev-seed.ts';
import { bootServer, type BootedServer } from './boot.ts';
import { BootError } from '../runtime/durable-boot.ts';
import { createLogger } from '../gateway/logger.ts';
import { parseMerchantKeyRecords, type MerchantKeyRecord } from '../gateway/merchant-keys.ts';
import { ShutdownSignalGate } from './shutdown-signals.ts';

/** The port is taken or cannot be bound: a second server must not start beside the first. */
const EXIT_CANNOT_LISTEN = 4;

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
    if (isListenFailure(error)) {
      const why = await whyCannotListen(error.host, error.port);
      logger.fatal({ host: error.host, port: error.port, why }, 'cannot listen');
      exitWith(`cannot start: cannot listen on ${error.host}:${error.port}: ${why}`, EXIT_CANNOT_LISTEN);
    }
    throw error;
  }
  const { server, persistence, recovered } = booted;

  // A restart finds the demo offers in the recovered state; each is listed only when missing.
  const demoOffers = demo ? await seedDemoOffers(server) : [];

  // Signal handlers before the "listening" line: whoever reads that line may send SIGTERM at once, and a
  // signal with no handler yet would kill the process without its shutdown snapshot.
  const gate = new ShutdownSignalGate();
  const onSignal = (signal: NodeJS.Signals): void => {
    const decision = gate.receive(signal, performance.now());
    switch (decision.action) {
      case 'duplicate':
        logger.info({ signal, sinceFirstMs: Math.round(decision.sinceFirstMs) }, 'signal ignored: already shutting down (the same signal delivered twice, e.g. to the process group and forwarded by npm)');
        return;
      case 'force':
        logger.warn({ signal, sinceFirstMs: Math.round(decision.sinceFirstMs), exitCode: decision.exitCode }, 'second signal: exiting now, without the shutdown snapshot');
        process.exit(decision.exitCode);
        return;
      case 'shutdown': {
        logger.info({ signal }, 'shutting down');
        const shutdownStartedAtMs = performance.now();
        booted.close().then(
          () => {
            logger.info(
              { signal, seq: server.sequencer.appliedSeq, snapshotSeq: server.checkpointer?.lastSeq ?? null, ms: Math.round(performance.now() - shutdownStartedAtMs), uptimeS: Math.round(process.uptime()) },
              'stopped gracefully',
            );
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
        return;
      }
      default:
        unreachable(decision);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

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

function unreachable(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

interface ListenFailure extends Error {
  code: 'LISTEN_FAILED';
  host: string;
  port: number;
}

function isListenFailure(error: unknown): error is ListenFailure {
  return error instanceof Error && (error as Partial<ListenFailure>).code === 'LISTEN_FAILED';
}

/**
 * uWS says only that it could not listen, not why. Binding the same address with Node's own sockets (no
 * SO_REUSEPORT, so a port another server holds is refused) names the reason: EADDRINUSE, EACCES, EADDRNOTAVAIL.
 */
async function whyCannotListen(host: string, port: number): Promise<string> {
  const code = await new Promise<string | null>((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} is in use (EADDRINUSE): another process, perhaps another tuan server, listens on it; stop it or set PORT`;
    case 'EACCES':
      return `not permitted to listen on port ${port} (EACCES); use a port above 1023 or grant the permission`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (EADDRNOTAVAIL); check HOST`;
    case null:
      return `port ${port} was refused, though it is free now (another process may have just released it); try again`;
    default:
      return `port ${port} could not be bound (${code})`;
  }
}

await main();
