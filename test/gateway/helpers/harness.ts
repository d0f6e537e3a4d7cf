// Starts a real gateway on an ephemeral loopback port with a clock the test moves by hand, two merchants with
// keys, and helpers to mint shopper tokens, open authenticated sockets and call the HTTP API.
import type { Applied, Command, CommandInput, Engine } from '../../../engine/index.ts';
import { generateMerchantKey, mintShopperToken, parseMerchantKeyRecords, type DurableStores, type GatewayConfig } from '../../../gateway/index.ts';
import { type Journal } from '../../../runtime/index.ts';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { TestClient, type Message } from './ws-client.ts';

export const TOKEN_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const START_MS = 1_700_000_000_000;

export class ManualClock {
  nowMs = START_MS;
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface HttpAnswer {
  status: number;
  body: Message;
  headers: Headers;
}

export interface Harness {
  server: RunningServer;
  clock: ManualClock;
  merchants: { a: { id: string; key: string }; b: { id: string; key: string } };
  token(shopperId: string, options?: TokenOptions): string;
  connect(): Promise<TestClient>;
  shopper(shopperId: string, options?: TokenOptions): Promise<TestClient>;
  merchant(which: 'a' | 'b'): Promise<TestClient>;
  http(method: string, path: string, options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<HttpAnswer>;
  /** Creates a group-buy offer of merchant A over HTTP and returns its id. */
  createOffer(fields?: Partial<Record<string, unknown>>, mechanism?: Partial<Record<string, unknown>>): Promise<string>;
  close(): Promise<void>;
}

/** A shopper token's optional claims: newcomer, life, and the facts the platform vouches for. */
export interface TokenOptions {
  newcomer?: boolean;
  ttlS?: number;
  exposureLimitMinor?: number;
  priorityClass?: number;
  creditScore?: number;
  memberTier?: string;
}

let offerCounter = 0;

export interface HarnessOptions {
  realClock?: boolean;
  /** A clock shared with an earlier harness (a restart in the same test). */
  clock?: ManualClock;
  journal?: Journal;
  persistence?: DurableStores;
  /** A recovered engine and the seq it is at. */
  engine?: Engine;
  lastSeq?: number;
  onApplied?: (command: Command, applied: Applied) => void;
}

// Merchant keys stay the same across harnesses, so a restarted server still knows merchant A's offers' owner.
const a = generateMerchantKey('merchant-a');
const b = generateMerchantKey('merchant-b');

export async function startHarness(config: Partial<GatewayConfig> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new ManualClock();
  const server = await startServer({
    config: { port: 0, host: '127.0.0.1', logLevel: 'silent', tokenSecret: TOKEN_SECRET, presenceIntervalMs: 20, ...config },
    clock: options.realClock ? Date.now : clock.now,
    merchantKeys: parseMerchantKeyRecords(`${a.record},${b.record}`),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.persistence ? { persistence: options.persistence } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.lastSeq !== undefined ? { lastSeq: options.lastSeq } : {}),
    ...(options.onApplied ? { onApplied: options.onApplied } : {}),
  });
  const clients: TestClient[] = [];
  const now = options.realClock ? Date.now : clock.now;

  const harness: Harness = {
    server,
    clock,
    merchants: { a: { id: 'merchant-a', key: a.apiKey }, b: { id: 'merchant-b', key: b.apiKey } },
    token: (shopperId, tokenOptions = {}) =>
      mintShopperToken(TOKEN_SECRET, { ...tokenOptions, shopperId, newcomer: tokenOptions.newcomer ?? false, ttlS: tokenOptions.ttlS ?? 3_600 }, now()),
    async connect() {
      const client = await TestClient.connect(server.wsUrl);
      clients.push(client);
      return client;
    },
    async shopper(shopperId, shopperOptions = {}) {
      const client = await harness.connect();
      await client.ok({ type: 'authenticate', token: harness.token(shopperId, shopperOptions) });
      return client;
    },
    async merchant(which) {
      const client = await harness.connect();
      await client.ok({ type: 'authenticate', apiKey: harness.merchants[which].key });
      return client;
    },
    async http(method, path, httpOptions = {}) {
      const headers: Record<string, string> = { ...httpOptions.headers };
      if (httpOptions.key) headers.authorization = `Bearer ${httpOptions.key}`;
      let body: string | undefined = httpOptions.rawBody;
      if (httpOptions.body !== undefined) {
        body = JSON.stringify(httpOptions.body);
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(`${server.httpUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: Message;
      try {
        parsed = JSON.parse(text) as Message;
      } catch {
        parsed = { text };
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async createOffer(fields = {}, mechanism = {}) {
      const offerId = `offer-${++offerCounter}`;
      const body: Partial<CommandInput> & Record<string, unknown> = {
        offerId,
        title: 'Test tea',
        currency: 'CNY',
        inventory: 100,
        basePriceMinor: 1_000,
        mechanism: { type: 'group', minSize: 3, maxSize: 5, windowMs: 60_000, tiers: [{ minSize: 3, priceMinor: 800 }], ...mechanism },
        ...fields,
      };
      const answer = await harness.http('POST', '/v1/offers', { key: a.apiKey, body });
      if (answer.status !== 201) throw new Error(`creating an offer failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return offerId;
    },
    async close() {
      for (const client of clients) if (!client.closedWith) client.terminate();
      await server.close();
    },
  };
  return harness;
}
