// Continuous mixed load over real sockets: shoppers on WebSockets (open, join, match, leave, quote, and
// retries of earlier commands with their idempotency key) and a merchant over HTTP (inventory edits, pause,
// resume). Every state-changing command carries a unique idempotency key, and the ledger records what each
// key was answered — or that it got no answer (the server died with it in flight: in doubt).
import WebSocket from 'ws';
import { mintShopperToken } from '../../gateway/index.ts';
import { Prng } from '../../simulations/prng.ts';

/** What a client was told, reduced to what the journal's replay can be compared with. */
export interface Answer {
  ok: boolean;
  code?: string;
  /** The WebSocket ack's result (shopper commands); HTTP answers carry only ok/code. */
  result?: unknown;
}

export type Sent =
  | { kind: 'ws'; key: string; shopperId: string; message: Record<string, unknown> }
  | { kind: 'http'; key: string; method: string; path: string; body: unknown };

/** Codes the gateway answers itself: such a command never reached the journal. */
export const GATEWAY_ONLY_CODES = new Set(['bad_request', 'unauthorized', 'forbidden', 'not_found', 'rate_limited', 'too_large', 'too_many_subscriptions', 'unavailable']);

export class Ledger {
  /** Every answer each key got (first send and retries), in order. */
  readonly answers = new Map<string, { sent: Sent; answers: Answer[] }>();
  /** Sent, no answer yet and the connection is gone, or answered `unavailable`: retried after a restart. */
  readonly inDoubt = new Map<string, Sent>();
  sent = 0;

  record(sent: Sent, answer: Answer): void {
    if (!answer.ok && answer.code === 'unavailable') {
      this.inDoubt.set(sent.key, sent);
      return;
    }
    this.inDoubt.delete(sent.key);
    const entry = this.answers.get(sent.key);
    if (entry) entry.answers.push(answer);
    else this.answers.set(sent.key, { sent, answers: [answer] });
  }

  get acked(): number {
    return this.answers.size;
  }
}

export interface LoadConfig {
  tokenSecret: string;
  merchantKey: string;
  offerIds: readonly string[];
  shoppers: number;
  /** Requests each shopper keeps in flight. */
  depth: number;
  /** One merchant request per this many shopper requests. */
  merchantEvery: number;
}

const RECENT_GROUPS = 64;
const RECENT_COMMANDS_PER_SHOPPER = 16;

/** What the clients know about the market across restarts; every list is bounded. */
export interface SharedKnowledge {
  /** Recently seen live groups, for joins. */
  groups: string[];
  /** Groups each shopper sits in, for leaves. */
  memberships: Map<string, Set<string>>;
  /** Inventory last seen per offer, for the merchant's edits. */
  inventory: Map<string, number>;
  /** Each shopper's latest answered commands, for idempotent retries. */
  recent: Map<string, Extract<Sent, { kind: 'ws' }>[]>;
}

export function emptyKnowledge(): SharedKnowledge {
  return { groups: [], memberships: new Map(), inventory: new Map(), recent: new Map() };
}

/** One run of load against one server process; ends when stopped or when the server goes away. */
export class LoadRun {
  private readonly sockets: WebSocket[] = [];
  private stopped = false;
  private readonly done: Promise<void>[] = [];
  private shopperRequests = 0;
  private merchantBusy: Promise<void> | null = null;
  private keyCounter = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly config: LoadConfig,
    private readonly ledger: Ledger,
    private readonly prng: Prng,
    private readonly shared: SharedKnowledge,
    private readonly keyPrefix: string,
    private readonly httpUrl: string,
  ) {}

  /** Calls `listener` after every answer (to decide when to kill the server): event-driven, no timers. */
  onAnswer(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Connects every shopper, first retrying its in-doubt commands, then loads until stopped or disconnected. */
  async start(): Promise<void> {
    const wsUrl = `${this.httpUrl.replace(/^http/, 'ws')}/ws`;
    const retries = [...this.ledger.inDoubt.values()];
    await Promise.all(
      Array.from({ length: this.config.shoppers }, async (_, i) => {
        const shopperId = `shopper-${i}`;
        const socket = await connect(wsUrl);
        this.sockets.push(socket);
        const client = new Client(socket);
        const token = mintShopperToken(this.config.tokenSecret, { shopperId, newcomer: i % 3 === 0, ttlS: 24 * 3_600 }, Date.now());
        await client.request({ type: 'authenticate', token });
        const own = retries.filter((sent): sent is Extract<Sent, { kind: 'ws' }> => sent.kind === 'ws' && sent.shopperId === shopperId);
        this.done.push(this.shopperLoop(client, shopperId, own));
      }),
    );
    for (const sent of retries) if (sent.kind === 'http') void this.merchantSend(sent);
  }

  /** Stops sending and closes the sockets; resolves when every loop ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const socket of this.sockets) socket.close(1000);
    await Promise.all(this.done);
    await this.merchantBusy;
  }

  /** Resolves when every loop ended because the server went away. */
  async ended(): Promise<void> {
    await Promise.all(this.done);
    await this.merchantBusy?.catch(() => undefined);
  }

  private async shopperLoop(client: Client, shopperId: string, retries: Extract<Sent, { kind: 'ws' }>[]): Promise<void> {
    const mine = this.membershipsOf(shopperId);
    const worker = async (): Promise<void> => {
      while (!this.stopped && !client.closed) {
        const retry = retries.shift();
        const sent = retry ?? this.nextShopperCommand(shopperId, mine);
        if (sent === null) {
          await client.request({ type: 'quote', offerId: this.prng.pick(this.config.offerIds) }).catch(() => undefined);
          continue;
        }
        this.ledger.sent += 1;
        let answer: Answer;
        try {
          const reply = await client.request(sent.message);
          answer = reply.type === 'ack' ? { ok: true, result: reply.result } : { ok: false, code: String(reply.code) };
        } catch {
          // The connection died with this command in flight: it may or may not be in the journal.
          this.ledger.inDoubt.set(sent.key, sent);
          return;
        }
        this.ledger.record(sent, answer);
        this.learn(sent, answer, mine);
        this.remember(shopperId, sent);
        this.afterAnswer();
      }
    };
    await Promise.all(Array.from({ length: this.config.depth }, worker));
  }

  private nextShopperCommand(shopperId: string, mine: Set<string>): Extract<Sent, { kind: 'ws' }> | null {
    const roll = this.prng.next();
    const offerId = this.prng.pick(this.config.offerIds);
    let message: Record<string, unknown>;
    if (roll < 0.05) {
      // An earlier command of this shopper again, same key and body: must get the first answer again.
      const earlier = this.shared.recent.get(shopperId) ?? [];
      return earlier.length > 0 ? this.prng.pick(earlier) : null;
    } else if (roll < 0.12) {
      return null;
    } else if (roll < 0.4) {
      message = { type: 'match_group', offerId, qty: 1 };
    } else if (roll < 0.6) {
      message = { type: 'open_group', offerId, qty: this.prng.int(1, 2) };
    } else if (roll < 0.82 && this.shared.groups.length > 0) {
      message = { type: 'join_group', groupId: this.prng.pick(this.shared.groups), qty: 1 };
    } else if (mine.size > 0) {
      message = { type: 'leave_group', groupId: this.prng.pick([...mine]) };
    } else {
      message = { type: 'match_group', offerId, qty: 1 };
    }
    const key = `${this.keyPrefix}-${++this.keyCounter}`;
    return { kind: 'ws', key, shopperId, message: { ...message, idempotencyKey: key } };
  }

  /** Remembers groups from answers, so joins and leaves name real groups. */
  private learn(sent: Extract<Sent, { kind: 'ws' }>, answer: Answer, mine: Set<string>): void {
    const type = sent.message.type;
    const groupId = answer.ok ? (answer.result as { groupId?: unknown } | undefined)?.groupId : undefined;
    if (answer.ok && typeof groupId === 'string' && type !== 'leave_group') {
      mine.add(groupId);
      if (!this.shared.groups.includes(groupId)) {
        this.shared.groups.push(groupId);
        if (this.shared.groups.length > RECENT_GROUPS) this.shared.groups.shift();
      }
    }
    if (type === 'leave_group' && (answer.ok || ['group_closed', 'not_member', 'already_formed', 'unknown_group'].includes(answer.code ?? ''))) {
      mine.delete(String(sent.message.groupId));
    }
    if (!answer.ok && answer.code === 'group_closed' && type === 'join_group') {
      const index = this.shared.groups.indexOf(String(sent.message.groupId));
      if (index !== -1) this.shared.groups.splice(index, 1);
    }
  }

  private remember(shopperId: string, sent: Extract<Sent, { kind: 'ws' }>): void {
    let list = this.shared.recent.get(shopperId);
    if (!list) this.shared.recent.set(shopperId, (list = []));
    if (list.includes(sent)) return;
    list.push(sent);
    if (list.length > RECENT_COMMANDS_PER_SHOPPER) list.shift();
  }

  private afterAnswer(): void {
    this.shopperRequests += 1;
    if (this.shopperRequests % this.config.merchantEvery === 0 && this.merchantBusy === null && !this.stopped) {
      this.merchantBusy = this.merchantSend(this.nextMerchantCommand()).finally(() => {
        this.merchantBusy = null;
      });
    }
    for (const listener of this.listeners) listener();
  }

  private nextMerchantCommand(): Extract<Sent, { kind: 'http' }> {
    const offerId = this.prng.pick(this.config.offerIds);
    const key = `${this.keyPrefix}-m${++this.keyCounter}`;
    const roll = this.prng.next();
    if (roll < 0.8) {
      // Stock keeps arriving, so groups keep forming and completing instead of everything selling out.
      const inventory = (this.shared.inventory.get(offerId) ?? 40) + this.prng.int(5, 20);
      return { kind: 'http', key, method: 'PATCH', path: `/v1/offers/${offerId}`, body: { inventory } };
    }
    if (roll < 0.85) return { kind: 'http', key, method: 'POST', path: `/v1/offers/${offerId}/pause`, body: {} };
    return { kind: 'http', key, method: 'POST', path: `/v1/offers/${offerId}/resume`, body: {} };
  }

  private async merchantSend(sent: Extract<Sent, { kind: 'http' }>): Promise<void> {
    this.ledger.sent += 1;
    let status: number;
    let body: { error?: { code?: string }; offer?: { offerId: string; inventory: number } };
    try {
      const response = await fetch(`${this.httpUrl}${sent.path}`, {
        method: sent.method,
        headers: { authorization: `Bearer ${this.config.merchantKey}`, 'content-type': 'application/json', 'idempotency-key': sent.key },
        body: JSON.stringify(sent.body),
      });
      status = response.status;
      body = (await response.json()) as typeof body;
    } catch {
      this.ledger.inDoubt.set(sent.key, sent);
      return;
    }
    const answer: Answer = status < 300 ? { ok: true } : { ok: false, code: body.error?.code ?? `http_${status}` };
    this.ledger.record(sent, answer);
    if (body.offer) this.shared.inventory.set(body.offer.offerId, body.offer.inventory);
  }

  private membershipsOf(shopperId: string): Set<string> {
    let set = this.shared.memberships.get(shopperId);
    if (!set) this.shared.memberships.set(shopperId, (set = new Set()));
    return set;
  }
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Request/answer matching on one socket; every pending request fails when the connection closes. */
class Client {
  private next = 0;
  private readonly pending = new Map<string, { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  closed = false;

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      const waiter = typeof message.requestId === 'string' ? this.pending.get(message.requestId) : undefined;
      if (!waiter) return;
      this.pending.delete(message.requestId as string);
      waiter.resolve(message);
    });
    const fail = (): void => {
      this.closed = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error('connection closed'));
      this.pending.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const requestId = `q${++this.next}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.socket.send(JSON.stringify({ ...message, requestId }));
    });
  }
}
