// One WebSocket to the server (docs/protocol.md) that a page keeps for its life: requests matched to answers by
// requestId, channels kept as {epoch, offset} and resumed after every reconnect, the server's clock measured by
// ping. A dropped connection reconnects by itself with backoff; on resume the server either replays exactly the
// deltas missed (`recovered: true`) or sends a fresh snapshot — the page is told which, and never reloads.
import type { ServerClock } from './server-clock.ts';
import { knownEvent, type Answer, type ChannelEvent, type Failure, type Outcome } from './wire.ts';

export type Credential = { token: string } | { apiKey: string };

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; attempt: number; retryInMs: number }
  | { state: 'refused'; failure: Failure }
  | { state: 'closed' };

export interface ChannelWatcher {
  /** Replaces the page's copy: on the first subscribe, and after a resume the server could not serve. */
  onSnapshot(snapshot: unknown, afterReconnect: boolean): void;
  /** Deltas in offset order, each once. */
  onEvent(event: ChannelEvent, offset: number): void;
  onWatchers?(watchers: number): void;
  /** After a reconnect: the server had every delta after `offset`; they arrive right after this call. */
  onResumed?(offset: number): void;
  /** The subscribe was refused (e.g. `unknown_group` once a group settled). The channel is no longer watched. */
  onRefused?(failure: Failure): void;
}

export interface ConnectionOptions {
  url: string;
  clock: ServerClock;
  /** Asked at every (re)connect, so a page can mint a fresh token; null watches anonymously. */
  credential: () => Promise<Credential | null>;
  onStatus(status: ConnectionStatus): void;
  /** The authenticate ack's result (who this connection is). */
  onAuthenticated?(result: Record<string, unknown>): void;
  /** A refusal that answers no request of ours (`requestId: null`: rate limited, too large). */
  onNotice?(failure: Failure): void;
}

interface ChannelState {
  watcher: ChannelWatcher;
  epoch: string | null;
  offset: number;
  /** The requestId of the subscribe in flight, if any. */
  subscribing: string | null;
}

const RECONNECT_BASE_MS = 250;
const RECONNECT_MAX_MS = 5_000;
/** After close 4029 (kept sending while rate limited): wait well past the bucket's refill. */
const AFTER_ABUSE_MS = 10_000;
const PING_EVERY_MS = 20_000;
const RENEW_BEFORE_MS = 60_000;

export class LiveConnection {
  private socket: WebSocket | null = null;
  private nextRequest = 0;
  private readonly pending = new Map<string, { resolve: (answer: Answer) => void; sentAtMs: number; ping: boolean }>();
  private readonly channels = new Map<string, ChannelState>();
  private attempt = 0;
  private stopped = false;
  /** `welcome` received: requests may be sent. */
  private welcomed = false;
  /** Authenticated and every channel (re)subscribed: new channels are subscribed at once. */
  private live = false;
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private renewTimer: number | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    if (this.renewTimer !== null) window.clearTimeout(this.renewTimer);
    this.socket?.close(1000);
    this.options.onStatus({ state: 'closed' });
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Watches a channel from now on, across reconnects; its snapshot comes to `watcher.onSnapshot`. */
  watch(channel: string, watcher: ChannelWatcher): void {
    this.channels.set(channel, { watcher, epoch: null, offset: 0, subscribing: null });
    if (this.live) this.subscribe(channel);
  }

  unwatch(channel: string): void {
    if (!this.channels.delete(channel)) return;
    if (this.live) void this.request({ type: 'unsubscribe', channel });
  }

  watching(channel: string): boolean {
    return this.channels.has(channel);
  }

  /** Sends a request; the answer, or a failure when the connection is down or drops before the answer. */
  request(message: Record<string, unknown>): Promise<Answer> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || !this.welcomed) {
      return Promise.resolve(failureAnswer('disconnected', 'Not connected to the server right now; it reconnects by itself. Try again in a moment.'));
    }
    const requestId = `c${++this.nextRequest}`;
    return new Promise((resolve) => {
      this.pending.set(requestId, { resolve, sentAtMs: Date.now(), ping: message.type === 'ping' });
      socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  /** A command's result, or the server's refusal with its code and message. */
  async command(message: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>> {
    const answer = await this.request(message);
    if (answer.type === 'error') return { ok: false, failure: { code: answer.code ?? 'error', message: answer.message ?? 'Refused.' } };
    return { ok: true, value: answer.result ?? {} };
  }

  private connect(): void {
    this.options.onStatus(this.attempt === 0 ? { state: 'connecting' } : { state: 'reconnecting', attempt: this.attempt, retryInMs: 0 });
    const socket = new WebSocket(this.options.url, 'tuan.v1');
    this.socket = socket;
    socket.addEventListener('message', (message) => {
      if (this.socket === socket) this.onMessage(String(message.data));
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.onClose(event.code);
    });
  }

  private onMessage(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (message.type) {
      case 'welcome':
        this.options.clock.observe(Number(message.serverTimeMs));
        void this.begin();
        return;
      case 'delta':
        this.onDelta(String(message.channel), Number(message.offset), message.event as { type: string });
        return;
      case 'presence':
        this.channels.get(String(message.channel))?.watcher.onWatchers?.(Number(message.watchers));
        return;
      case 'ack':
      case 'subscribed':
      case 'error':
        this.onAnswer(message as unknown as Answer);
        return;
      default:
        // A newer server's message type: ignored, as the protocol asks of version-1 clients.
        return;
    }
  }

  /** After `welcome`: authenticate, measure the clock, then (re)subscribe every channel, resuming where possible. */
  private async begin(): Promise<void> {
    const socket = this.socket;
    this.welcomed = true;
    let credential: Credential | null;
    try {
      credential = await this.options.credential();
    } catch (error) {
      // Most likely passing (the token service is restarting with the server): closed, and tried again after backoff.
      this.options.onNotice?.({ code: 'no_credential', message: `Could not get credentials: ${(error as Error).message}` });
      socket?.close(1000);
      return;
    }
    if (this.socket !== socket) return; // dropped meanwhile: the reconnect starts over
    if (credential) {
      const answer = await this.request({ type: 'authenticate', ...credential });
      if (this.socket !== socket || answer.code === 'disconnected') return;
      if (answer.type === 'error') {
        this.stopped = true;
        socket?.close(1000);
        this.options.onStatus({ state: 'refused', failure: { code: answer.code ?? 'unauthorized', message: answer.message ?? 'Refused.' } });
        return;
      }
      this.options.onAuthenticated?.(answer.result ?? {});
      this.scheduleRenewal(answer.result?.expiresAtMs, credential);
    }
    for (const channel of this.channels.keys()) this.subscribe(channel);
    this.live = true;
    this.attempt = 0;
    this.options.onStatus({ state: 'live' });
    void this.ping();
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    this.pingTimer = window.setInterval(() => void this.ping(), PING_EVERY_MS);
  }

  /**
   * A shopper token expires (`expiresAtMs`); after that the server refuses the shopper's commands until it is
   * authenticated again. A minute before, a fresh credential is asked for and sent on the same connection — if
   * the page can make one (a pasted token cannot be renewed, and is then left to expire).
   */
  private scheduleRenewal(expiresAtMs: unknown, current: Credential): void {
    if (this.renewTimer !== null) window.clearTimeout(this.renewTimer);
    if (typeof expiresAtMs !== 'number' || expiresAtMs >= Number.MAX_SAFE_INTEGER) return;
    const inMs = Math.max(1_000, expiresAtMs - this.options.clock.now() - RENEW_BEFORE_MS);
    this.renewTimer = window.setTimeout(() => {
      this.renewTimer = null;
      void (async () => {
        const fresh = await this.options.credential().catch(() => null);
        if (!fresh || JSON.stringify(fresh) === JSON.stringify(current)) return;
        const answer = await this.request({ type: 'authenticate', ...fresh });
        if (answer.type === 'ack') this.scheduleRenewal(answer.result?.expiresAtMs, fresh);
      })();
    }, inMs);
  }

  private async ping(): Promise<void> {
    await this.request({ type: 'ping' });
  }

  private subscribe(channel: string): void {
    const state = this.channels.get(channel);
    if (!state || !this.socket) return;
    const requestId = `c${++this.nextRequest}`;
    state.subscribing = requestId;
    const resume = state.epoch === null ? {} : { resume: { epoch: state.epoch, offset: state.offset } };
    this.pending.set(requestId, { resolve: () => undefined, sentAtMs: Date.now(), ping: false });
    this.socket.send(JSON.stringify({ type: 'subscribe', requestId, channel, ...resume }));
  }

  private onAnswer(answer: Answer): void {
    const waiting = this.pending.get(answer.requestId);
    if (!waiting) {
      if (answer.type === 'error') this.options.onNotice?.({ code: answer.code ?? 'error', message: answer.message ?? '' });
      return;
    }
    this.pending.delete(answer.requestId);
    if (waiting.ping && answer.type === 'ack') this.options.clock.observeRoundTrip(answer.serverTimeMs, waiting.sentAtMs, Date.now());
    // Channel state changes here, synchronously, before the deltas that follow a `subscribed` are read.
    for (const [channel, state] of this.channels) {
      if (state.subscribing !== answer.requestId) continue;
      state.subscribing = null;
      if (answer.type === 'error') {
        this.channels.delete(channel);
        state.watcher.onRefused?.({ code: answer.code ?? 'error', message: answer.message ?? 'Refused.' });
      } else {
        this.onSubscribed(state, answer);
      }
    }
    waiting.resolve(answer);
  }

  private onSubscribed(state: ChannelState, answer: Answer): void {
    const afterReconnect = state.epoch !== null;
    state.epoch = answer.epoch ?? null;
    state.offset = answer.offset ?? 0;
    if (answer.watchers !== undefined) state.watcher.onWatchers?.(answer.watchers);
    if (answer.recovered === true) state.watcher.onResumed?.(state.offset);
    else state.watcher.onSnapshot(answer.snapshot, afterReconnect);
  }

  private onDelta(channel: string, offset: number, event: { type: string }): void {
    const state = this.channels.get(channel);
    if (!state || state.subscribing !== null) return;
    if (offset <= state.offset) return; // already applied (a duplicate never changes the page twice)
    if (offset !== state.offset + 1) {
      // A gap: our copy is stale. The protocol's rule: subscribe again with resume.
      this.subscribe(channel);
      return;
    }
    state.offset = offset;
    const known = knownEvent(event);
    if (known) state.watcher.onEvent(known, offset);
  }

  private onClose(code: number): void {
    this.live = false;
    this.welcomed = false;
    this.socket = null;
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    for (const [requestId, waiting] of this.pending) {
      waiting.resolve(
        failureAnswer(
          'disconnected',
          'The connection dropped before the server answered, so it may or may not have been applied. Check the live view, then try again if needed (a retry is applied once).',
          requestId,
        ),
      );
    }
    this.pending.clear();
    for (const state of this.channels.values()) state.subscribing = null;
    if (this.stopped) return;
    this.attempt += 1;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** (this.attempt - 1));
    // Jitter, so a server restart is not met by every client in the same millisecond.
    const delayMs = code === 4029 ? AFTER_ABUSE_MS : Math.round(backoff * (0.8 + Math.random() * 0.4));
    this.options.onStatus({ state: 'reconnecting', attempt: this.attempt, retryInMs: delayMs });
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delayMs);
  }
}

function failureAnswer(code: string, message: string, requestId = ''): Answer {
  return { type: 'error', requestId, serverTimeMs: Date.now(), code, message };
}
