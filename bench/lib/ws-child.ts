// Starts a benchmark server (ws-server-child.ts) in a child process and talks to it over IPC (child-ipc.ts).
// Every child is tracked so the bench kills them all on the way out, on success, on error and on Ctrl-C alike: a
// benchmark must never leave a server listening behind it.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpcChild, killAllIn, type IpcReply } from './child-ipc.ts';

export type ServerMode = 'gateway' | 'raw';

export type ChildRequest =
  | { id: number; op: 'start'; mode: ServerMode; maxConnections: number; tokenSecret: string; joinConnections: number }
  | { id: number; op: 'raw-payload'; deltas: string[]; httpBody: string }
  | { id: number; op: 'usage'; gc: boolean }
  | { id: number; op: 'stop' };

export type ChildReply = IpcReply;

/** A reading of the server process; differences of two readings give CPU and event-loop use over a phase. */
export interface ServerUsage {
  /** Wall clock (ms since the epoch, sub-ms precision) of the reading. */
  atMs: number;
  /** User + system CPU of the whole process, all threads. */
  cpuUs: number;
  eluActiveMs: number;
  eluIdleMs: number;
  rss: number;
  heapUsed: number;
  external: number;
}

/** CPU and event-loop use of a process between two readings. */
export interface Busy {
  /** CPU time over wall time: 1 is one core fully used. */
  cores: number;
  /** Share of the time the event loop was running callbacks rather than waiting for I/O. */
  eventLoop: number;
}

export function busyBetween(before: ServerUsage, after: ServerUsage): Busy {
  const wallMs = after.atMs - before.atMs;
  const activeMs = after.eluActiveMs - before.eluActiveMs;
  const totalMs = activeMs + (after.eluIdleMs - before.eluIdleMs);
  return { cores: wallMs > 0 ? (after.cpuUs - before.cpuUs) / 1_000 / wallMs : 0, eventLoop: totalMs > 0 ? activeMs / totalMs : 0 };
}

const CHILD_ENTRY = fileURLToPath(new URL('./ws-server-child.ts', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills every child still running; synchronous so it also works from an `exit` handler. */
export function killAllServers(): void {
  killAllIn(live);
}

export interface StartOptions {
  maxConnections: number;
  tokenSecret: string;
  /** Throughput connections that join and leave a group each (gateway only). */
  joinConnections: number;
  /** Write a V8 CPU profile of the server here when it exits (Node's --cpu-prof). */
  profileDir?: string;
}

/** Profiles written by servers started with `profileDir`, by mode, for the report to summarise. */
export const writtenProfiles: { mode: ServerMode; dir: string }[] = [];

export class ServerChild {
  private constructor(
    private readonly ipc: IpcChild<ChildRequest>,
    readonly mode: ServerMode,
    public port = 0,
  ) {}

  /** Forks a server with the same Node flags as this process (the TypeScript loader among them) and starts it. */
  static async start(mode: ServerMode, options: StartOptions): Promise<ServerChild> {
    const { profileDir, ...request } = options;
    const execArgv = [...process.execArgv];
    if (profileDir !== undefined) {
      // A folder per server: the TypeScript loader's thread writes a profile of its own next to the main thread's.
      const dir = join(profileDir, `${mode}-server-${Date.now()}-${live.size}`);
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
      writtenProfiles.push({ mode, dir });
    }
    const ipc = new IpcChild<ChildRequest>(CHILD_ENTRY, execArgv, `${mode} server`, live);
    const server = new ServerChild(ipc, mode);
    server.port = await ipc.start({ op: 'start', mode, ...request });
    return server;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The WebSocket URL of a path: the gateway serves only `/ws`; the raw server `/echo`, `/sub` and `/pub`. */
  wsUrl(path: '/ws' | '/echo' | '/sub' | '/pub'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  usage(gc = false): Promise<ServerUsage> {
    return this.ipc.request({ op: 'usage', gc }, 10_000) as Promise<ServerUsage>;
  }

  async setRawPayload(deltas: string[], httpBody: string): Promise<void> {
    await this.ipc.request({ op: 'raw-payload', deltas, httpBody }, 10_000);
  }

  /** Closes the server gracefully; kills the process if that takes more than a few seconds. */
  stop(): Promise<void> {
    return this.ipc.stop();
  }

  kill(): void {
    this.ipc.kill();
  }
}
