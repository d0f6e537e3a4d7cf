// A WebSocket test client that records every message and lets a test wait for the one it expects. Waiting is
// event-driven (re-checked on each arrival); the timeout only turns a message that never comes into a failure.
import WebSocket from 'ws';

// Server messages are checked by the tests themselves; the client keeps them as loosely typed records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface Closed {
  code: number;
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
let requestCounter = 0;

export class TestClient {
  readonly received: Message[] = [];
  closedWith: Closed | null = null;
  private readonly watchers = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Message);
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.notify();
    });
  }

  /** Connects and waits for the server's `welcome`. */
  static async connect(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols ?? [], rest);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.waitFor((m) => m.type === 'welcome', 'welcome');
    return client;
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Sends a message with a fresh requestId and waits for the answer carrying it (ack, error or subscribed). */
  async request(message: object, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message> {
    const requestId = `r${++requestCounter}`;
    this.send({ ...message, requestId });
    return this.waitFor((m) => m.requestId === requestId, `answer to ${requestId} (${JSON.stringify(message).slice(0, 80)})`, timeoutMs);
  }

  /** Sends and expects an ack; fails the test with the server's error otherwise. */
  async ok(message: object): Promise<Message> {
    const answer = await this.request(message);
    if (answer.type === 'error') throw new Error(`expected success for ${JSON.stringify(message)}, got ${answer.code}: ${answer.message}`);
    return answer;
  }

  /** Resolves with the first received message (already here or arriving later) that matches. */
  waitFor(match: (message: Message) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message> {
    return this.waitUntil(() => this.received.find(match), what, timeoutMs);
  }

  /** Resolves with the first non-undefined value of `probe`, re-evaluated whenever a message arrives or the socket closes. */
  waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (this.closedWith && !what.startsWith('close')) {
          done();
          reject(new Error(`connection closed (${this.closedWith.code} ${this.closedWith.reason}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last messages: ${JSON.stringify(this.received.slice(-3))}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(check);
      };
      this.watchers.add(check);
    });
  }

  /** Resolves when the connection is closed, with the server's code and reason. */
  closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Closed> {
    return this.waitUntil(() => this.closedWith ?? undefined, 'close of the connection', timeoutMs);
  }

  /** Deltas of one channel, in arrival order. */
  deltas(channel: string): Message[] {
    return this.received.filter((m) => m.type === 'delta' && m.channel === channel);
  }

  /** Waits until `count` deltas of the channel have arrived. */
  waitForDeltas(channel: string, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message[]> {
    return this.waitUntil(() => (this.deltas(channel).length >= count ? this.deltas(channel) : undefined), `${count} deltas on ${channel}`, timeoutMs);
  }

  close(): Promise<Closed> {
    if (!this.closedWith) this.socket.close(1000);
    return this.closed();
  }

  /** Drops the connection without a close handshake, as a lost network would. */
  terminate(): void {
    this.socket.terminate();
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }
}
