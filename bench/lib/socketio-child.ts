// Starts the Socket.IO benchmark server (socketio-server-child.ts) in a child process and talks to it over IPC,
// like ws-child.ts does for the gateway: every child is tracked and killed on the way out, on success, on error
// and on Ctrl-C alike, and a child whose parent goes away exits by itself.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IpcChild, killAllIn, type IpcReply } from './child-ipc.ts';
import type { ServerUsage } from './ws-child.ts';

/** Socket.IO's default engine (Node http + `ws`), or the same server attached to a uWebSockets.js app. */
export type SocketIoEngine = 'ws' | 'uws';
export const SOCKETIO_ENGINES: readonly SocketIoEngine[] = ['ws', 'uws'];

export type SocketIoRequest =
  | { id: number; op: 'start'; engine: SocketIoEngine }
  | { id: number; op: 'payload'; deltas: string[] }
  | { id: number; op: 'usage'; gc: boolean }
  | { id: number; op: 'stop' };

export type SocketIoReply = IpcReply;

const CHILD_ENTRY = fileURLToPath(new URL('./socketio-server-child.ts', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills every Socket.IO server child still running; synchronous so it also works from an `exit` handler. */
export function killAllSocketIoServers(): void {
  killAllIn(live);
}

export class SocketIoServerChild {
  port = 0;

  private constructor(
    private readonly ipc: IpcChild<SocketIoRequest>,
    readonly engine: SocketIoEngine,
  ) {}

  /** Forks a server with this process's Node flags (the TypeScript loader among them) and starts it. */
  static async start(engine: SocketIoEngine): Promise<SocketIoServerChild> {
    const ipc = new IpcChild<SocketIoRequest>(CHILD_ENTRY, [...process.execArgv], 'Socket.IO server', live);
    const server = new SocketIoServerChild(ipc, engine);
    server.port = await ipc.start({ op: 'start', engine });
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  usage(gc = false): Promise<ServerUsage> {
    return this.ipc.request({ op: 'usage', gc }, 10_000) as Promise<ServerUsage>;
  }

  /** The JSON texts to broadcast per publish request, in order (parsed once, emitted as objects). */
  async setPayload(deltas: string[]): Promise<void> {
    await this.ipc.request({ op: 'payload', deltas }, 10_000);
  }

  /** Closes the server gracefully; kills the process if that takes more than a few seconds. */
  stop(): Promise<void> {
    return this.ipc.stop();
  }

  kill(): void {
    this.ipc.kill();
  }
}
