// What the example clients share: one WebSocket session with request/answer matching, development tokens, and
// money formatting. See docs/protocol.md for the protocol itself.
import WebSocket from 'ws';

export type ServerMessage = Record<string, unknown> & { type: string };

/** One socket with request/answer matching: every request carries a requestId, every answer echoes it. */
export class Session {
  private next = 0;
  private readonly waiting = new Map<string, (message: ServerMessage) => void>();
  /** Server clock minus ours, from the latest message stamped with `serverTimeMs`. */
  clockOffsetMs = 0;

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
    onPush: (message: ServerMessage) => void,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (typeof message.serverTimeMs === 'number') this.clockOffsetMs = message.serverTimeMs - Date.now();
      const requestId = message.requestId;
      if (typeof requestId === 'string' && this.waiting.has(requestId)) {
        this.waiting.get(requestId)!(message);
        this.waiting.delete(requestId);
      } else {
        onPush(message);
      }
    });
  }

  static open(wsUrl: string, name: string, onPush: (message: ServerMessage) => void = () => {}): Promise<Session> {
    const socket = new WebSocket(wsUrl, ['tuan.v1']);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Session(name, socket, onPush)));
      socket.once('error', reject);
    });
  }

  /** The server's clock now, as measured from its latest stamp. */
  serverNowMs(): number {
    return Date.now() + this.clockOffsetMs;
  }

  request(message: Record<string, unknown>): Promise<ServerMessage> {
    const requestId = `${this.name}-${++this.next}`;
    return new Promise((resolve) => {
      this.waiting.set(requestId, resolve);
      this.socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  async must(message: Record<string, unknown>): Promise<ServerMessage> {
    const answer = await this.request(message);
    if (answer.type === 'error') throw new Error(`${this.name}: ${String(message.type)} refused: ${String(answer.code)}: ${String(answer.message)}`);
    return answer;
  }

  close(): void {
    this.socket.close(1000);
  }
}

/**
 * A shopper token: `envToken` when given, else one from the server's development endpoint (on unless
 * NODE_ENV=production), with the facts a platform would vouch for (exposure limit, priority class, credit score).
 */
export async function shopperToken(httpUrl: string, shopperId: string, claims: Record<string, unknown> = {}, envToken?: string): Promise<string> {
  if (envToken) return envToken;
  const response = await fetch(`${httpUrl}/dev/shopper-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ shopperId, ...claims }),
  });
  if (!response.ok) throw new Error(`no development tokens here (${response.status}); set TUAN_TOKEN to a token from gateway/mint-token.ts`);
  return ((await response.json()) as { token: string }).token;
}

/** Reads a JSON answer of the HTTP API, or throws with its error. */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) throw new Error(`${url}: ${body.error?.code ?? response.status}: ${body.error?.message ?? ''}`);
  return body;
}

export const money = (minor: unknown): string => (typeof minor === 'number' ? (minor / 100).toFixed(2) : '?');

/** The URLs of a server given as its HTTP address. */
export function serverUrls(url: string): { httpUrl: string; wsUrl: string } {
  const httpUrl = url.replace(/\/$/, '');
  return { httpUrl, wsUrl: `${httpUrl.replace(/^http/, 'ws')}/ws` };
}

/** What to print when a client fails: fetch says only "fetch failed" when nothing listens, so say where it looked. */
export function reportFailure(httpUrl: string): (error: unknown) => never {
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(message === 'fetch failed' || /ECONNREFUSED/.test(message) ? `cannot reach ${httpUrl}: is the server running (npm start)?` : message);
    process.exit(1);
  };
}
