// One WebSocket to a tuan server, speaking protocol version 1 (docs/protocol.md): waits for `welcome`, matches
// each answer to its request by `requestId`, hands pushed messages (deltas, presence) to `onPush`, and keeps the
// server's clock offset from every `serverTimeMs`. Every request has a timeout, so a run can never hang on a
// lost answer; a closed socket fails its pending requests at once.
import WebSocket from 'ws';

// Server messages are read field by field where they are used; the client keeps them loosely typed.
export type ServerMessage = Record<string, unknown> & { type: string };

export interface Answer {
  message: ServerMessage | null;
  /** Set when no answer came: `client_timeout`, or `connection_closed`. */
  clientCode: 'client_timeout' | 'connection_closed' | null;
}

interface Pending {
  resolve: (answer: Answer) => void;
  timer: NodeJS.Timeout;
}

export class WsClient {
  /** Server clock minus this machine's, from the latest message stamped with `serverTimeMs`. */
  clockOffsetMs = 0;
  closed = false;
  private nextRequest = 0;
  private readonly pending = new Map<string, Pending>();
  private onPushHandler: (message: ServerMessage) => void = () => {};
  private onCloseHandler: (code: number) => void = () => {};

  private constructor(
    private readonly socket: WebSocket,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('message', (data) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(data.toString()) as ServerMessage;
      } catch {
        return;
      }
      if (typeof message.serverTimeMs === 'number') this.clockOffsetMs = message.serverTimeMs - Date.now();
      const requestId = message.requestId;
      const waiting = typeof requestId === 'string' ? this.pending.get(requestId) : undefined;
      if (waiting) {
        this.pending.delete(requestId as string);
        clearTimeout(waiting.timer);
        waiting.resolve({ message, clientCode: null });
      } else {
        this.onPushHandler(message);
      }
    });
    socket.on('close', (code) => {
      this.closed = true;
      for (const [id, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.resolve({ message: null, clientCode: 'connection_closed' });
        this.pending.delete(id);
      }
      this.onCloseHandler(code);
    });
    // Errors are followed by 'close', which fails what was pending; without a listener ws would throw.
    socket.on('error', () => {});
  }

  /** Opens a socket and waits for the server's `welcome` (or fails after `timeoutMs`). */
  static connect(wsUrl: string, requestTimeoutMs: number): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl, ['tuan.v1']);
      const client = new WsClient(socket, requestTimeoutMs);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no welcome from ${wsUrl} within ${requestTimeoutMs} ms`));
      }, requestTimeoutMs);
      client.onPushHandler = (message) => {
        if (message.type !== 'welcome') return;
        clearTimeout(timer);
        client.onPushHandler = () => {};
        resolve(client);
      };
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  onPush(handler: (message: ServerMessage) => void): void {
    this.onPushHandler = handler;
  }

  onClose(handler: (code: number) => void): void {
    this.onCloseHandler = handler;
  }

  request(message: Record<string, unknown>): Promise<Answer> {
    if (this.closed) return Promise.resolve({ message: null, clientCode: 'connection_closed' });
    const requestId = `q${++this.nextRequest}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ message: null, clientCode: 'client_timeout' });
      }, this.requestTimeoutMs);
      this.pending.set(requestId, { resolve, timer });
      this.socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  /** A request that must succeed (setup steps): throws with the server's code and message otherwise. */
  async must(message: Record<string, unknown>, what: string): Promise<ServerMessage> {
    const answer = await this.request(message);
    if (!answer.message) throw new Error(`${what}: ${answer.clientCode}`);
    if (answer.message.type === 'error') throw new Error(`${what}: ${String(answer.message.code)}: ${String(answer.message.message)}`);
    return answer.message;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  close(): void {
    if (!this.closed) this.socket.close(1000);
  }

  terminate(): void {
    this.socket.terminate();
  }
}
