// Starts the Socket.IO benchmark server (socketio-server-child.ts) in a child process and talks to it over IPC,
// like ws-child.ts does for the gateway: every child is tracked and killed on the way out, on success, on error
// and on Ctrl-C alike, and a child whose parent goes away exits by itself.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerUsage } from './ws-child.ts';

/** Socket.IO's default engine (Node http + `ws`), or the same server attached to a uWebSockets.js app. */
export type SocketIoEngine = 'ws' | 'uws';
export const SOCKETIO_ENGINES: readonly SocketIoEngine[] = ['ws', 'uws'];

export type SocketIoRequest =
  | { id: number; op: 'start'; engine: SocketIoEngine }
  | { id: number; op: 'payload'; deltas: string[] }
  | { id: number; op: 'usage'; gc: boolean }
  | { id: number; op: 'stop' };

type RequestBody = SocketIoRequest extends infer R ? (R extends SocketIoRequest ? Omit<R, 'id'> : never) : never;

export type SocketIoReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const CHILD_ENTRY = fileURLToPath(new URL('./socketio-server-child.ts', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills every Socket.IO server child still running; synchronous so it also works from an `exit` handler. */
export function killAllSocketIoServers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

export class SocketIoServerChild {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | null = null;
  port = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly engine: SocketIoEngine,
  ) {
    child.on('message', (reply: SocketIoReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`Socket.IO server: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.exited = new Error(`Socket.IO server exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Forks a server with this process's Node flags (the TypeScript loader among them) and starts it. */
  static async start(engine: SocketIoEngine): Promise<SocketIoServerChild> {
    // stdout is dropped so a `--json` report on this process's stdout stays clean; errors still reach stderr.
    const child = fork(CHILD_ENTRY, [], { execArgv: [...process.execArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    live.add(child);
    const server = new SocketIoServerChild(child, engine);
    try {
      const started = (await server.request({ op: 'start', engine }, 30_000)) as { port: number };
      server.port = started.port;
      return server;
    } catch (error) {
      server.kill();
      throw error;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  usage(gc = false): Promise<ServerUsage> {
    return this.request({ op: 'usage', gc }, 10_000) as Promise<ServerUsage>;
  }

  /** The JSON texts to broadcast per publish request, in order (parsed once, emitted as objects). */
  async setPayload(deltas: string[]): Promise<void> {
    await this.request({ op: 'payload', deltas }, 10_000);
  }

  /** Closes the server gracefully; kills the process if that takes more than a few seconds. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request({ op: 'stop' }, 10_000);
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    } catch {
      // Timed out or already gone: the kill below settles it.
    }
    this.kill();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    live.delete(this.child);
  }

  private request(body: RequestBody, timeoutMs: number): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Socket.IO server did not answer "${body.op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...body, id } as SocketIoRequest);
    });
  }
}
