// A worker process killed with SIGKILL in the middle of a payment: the provider had applied the charge but the
// worker never heard back. Another worker takes the stalled job over and runs it again; the provider's record
// (kept in this process) shows one charge for the key, asked for twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EffectOutbox, EffectQueues, EffectWorkers, InMemoryWebhookEndpoints, PaymentRejectedError, SimulatedPaymentProvider, type ProviderOperation } from '../../effects/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { FAST_POLICY, Market, uniquePrefix, waitForCompletions, withTimeout } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/payment-worker-child.ts', import.meta.url));
let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

/** Serves `provider` over loopback HTTP; a request whose connection closes aborts its call. */
async function serveProvider(provider: SimulatedPaymentProvider): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { operation, request: body } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operation: ProviderOperation; request: never };
      const controller = new AbortController();
      response.on('close', () => controller.abort(new Error('the caller went away')));
      provider[operation](body, { signal: controller.signal }).then(
        (receipt) => response.writeHead(200).end(JSON.stringify({ receipt })),
        (error: Error) => {
          if (response.destroyed) return;
          const rejected = error instanceof PaymentRejectedError ? error.code : undefined;
          response.writeHead(rejected ? 422 : 503).end(JSON.stringify({ rejected, error: error.message }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

function startChild(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return withTimeout(
    new Promise<ChildProcess>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('ready')) resolve(child);
      });
      child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4_000)));
      child.once('exit', (code) => reject(new Error(`worker child exited (${code}) before it was ready:\n${output}`)));
    }),
    20_000,
    'the worker child to start',
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
}

it('a worker killed -9 mid-job: the job runs again elsewhere and the provider records one charge for its key', async () => {
  const prefix = uniquePrefix();
  const settings = { prefix, payments: FAST_POLICY, webhooks: FAST_POLICY };
  const provider = new SimulatedPaymentProvider();
  const { url, server } = await serveProvider(provider);
  const queues = await EffectQueues.open(redis.url, { settings });
  let child: ChildProcess | null = null;
  let takeover: EffectWorkers | null = null;
  let outbox: EffectOutbox | null = null;
  const market = new Market((seq, events) => outbox!.record(seq, events));
  outbox = new EffectOutbox({
    sink: queues,
    context: market.context('p0'),
    onError: (error) => {
      throw error;
    },
  });
  try {
    child = await startChild([redis.url, prefix, url]);
    provider.faultNext(1, 'timeout', 'charge');
    const inDoubt = provider.waitFor(() => provider.calls.length > 0, 15_000, 'the child to call the provider');

    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    await inDoubt;
    expect(provider.calls.map((call) => call.outcome)).toEqual(['timeout']);

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    takeover = await EffectWorkers.start({
      redisUrl: redis.url,
      provider,
      endpoints: new InMemoryWebhookEndpoints(),
      settings,
      providerTimeoutMs: 500,
      webhookTimeoutMs: 500,
      lockDurationMs: 1_000,
      stalledIntervalMs: 250,
    });
    await waitForCompletions(takeover.payments, 1, 15_000, 'the killed worker’s job to be taken over');

    expect(provider.callsFor('charge|p0|2|g1|alice').map((call) => call.outcome)).toEqual(['timeout', 'replayed']);
    expect(provider.appliedCount()).toBe(1);
    expect(provider.balance('p0|g1|alice').chargedMinor).toBe(9_000);
  } finally {
    child?.kill('SIGKILL');
    await takeover?.close(true);
    await outbox?.close(1_000);
    await queues.close();
    server.closeAllConnections();
    server.close();
  }
});
