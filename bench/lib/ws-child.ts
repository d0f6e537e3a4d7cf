// Starts a benchmark server (ws-server-child.ts) in a child process and talks to it over IPC. Every child is
// tracked so the bench kills them all on the way out, on success, on error and on Ctrl-C alike: a benchmark
// must never leave a server listening behind it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerMode = 'gateway' | 'raw';

export type ChildRequest =
  | { id: number; op: 'start'; mode: ServerMode; maxConnections: number; tokenSecret: string; joinConnections: number }
  | { id: number; op: 'raw-payload'; deltas: string[]; httpBody: string }
  | { id: number; op: 'usage'; gc: boolean }
  | { id: number; op: 'stop' };

/** A request without its id (distributed over the union, which a plain Omit is not). */
type RequestBody = ChildRequest extends infer R ? (R extends ChildRequest ? Omit<R, 'id'> : never) : never;

export type ChildReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

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
  for (const child of live) child.kill('SIGKILL');
  live.clear();
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
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly mode: ServerMode,
    public port = 0,
  ) {
    child.on('message', (reply: ChildReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${mode} server: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.exited = new Error(`${mode} server exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

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
    // stdout is dropped so a `--json` report on this process's stdout stays clean; errors still reach stderr.
    const child = fork(CHILD_ENTRY, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    live.add(child);
    const server = new ServerChild(child, mode);
    try {
      const started = (await server.request({ op: 'start', mode, ...request }, 30_000)) as { port: number };
      server.port = started.port;
      return server;
    } catch (error) {
      server.kill();
      throw error;
    }
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The WebSocket URL of a path: the gateway serves only `/ws`; the raw server `/echo`, `/sub` and `/pub`. */
  wsUrl(path: '/ws' | '/echo' | '/sub' | '/pub'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  usage(gc = false): Promise<ServerUsage> {
    return this.request({ op: 'usage', gc }, 10_000) as Promise<ServerUsage>;
  }

  async setRawPayload(deltas: string[], httpBody: string): Promise<void> {
    await this.request({ op: 'raw-payload', deltas, httpBody }, 10_000);
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
        reject(new Error(`${this.mode} server did not answer "${body.op}" within ${timeoutMs} ms`));
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
      this.child.send({ ...body, id } as ChildRequest);
    });
  }
}
