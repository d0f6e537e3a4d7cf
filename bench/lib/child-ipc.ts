// Parent side of a benchmark server run as a child process (the gateway's in ws-child.ts, Socket.IO's in
// socketio-child.ts): forks it, sends it requests over IPC and waits for the matching replies, each with a
// timeout. Every child sits in its caller's `live` set so the bench can kill them all on the way out, on success,
// on error and on Ctrl-C alike: a benchmark must never leave a server listening behind it.
import { fork, type ChildProcess } from 'node:child_process';

/** A request to a child: an `op` and its fields, with the id the reply echoes. */
export interface IpcRequest {
  id: number;
  op: string;
}

export type IpcReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** A request without its id (distributed over the union, which a plain Omit is not). */
export type RequestBody<R extends IpcRequest> = R extends unknown ? Omit<R, 'id'> : never;

/** Kills every child in `live`; synchronous so it also works from an `exit` handler. */
export function killAllIn(live: Set<ChildProcess>): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

export class IpcChild<R extends IpcRequest> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | null = null;
  private readonly child: ChildProcess;

  /**
   * Forks `entry` with `execArgv` (the caller passes this process's Node flags, the TypeScript loader among
   * them). `label` names the server in errors ("gateway server", "Socket.IO server").
   */
  constructor(
    entry: string,
    execArgv: string[],
    private readonly label: string,
    private readonly live: Set<ChildProcess>,
  ) {
    // stdout is dropped so a `--json` report on this process's stdout stays clean; errors still reach stderr.
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    live.add(child);
    child.on('message', (reply: IpcReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${label}: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.exited = new Error(`${label} exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Sends the child's `start` request and returns the port it listens on; kills the child if that fails. */
  async start(body: RequestBody<R>): Promise<number> {
    try {
      const started = (await this.request(body, 30_000)) as { port: number };
      return started.port;
    } catch (error) {
      this.kill();
      throw error;
    }
  }

  /** Closes the server gracefully with a `stop` request; kills the process if that takes more than a few seconds. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request({ op: 'stop' } as RequestBody<R>, 10_000);
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    } catch {
      // Timed out or already gone: the kill below settles it.
    }
    this.kill();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.live.delete(this.child);
  }

  request(body: RequestBody<R>, timeoutMs: number): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label} did not answer "${body.op}" within ${timeoutMs} ms`));
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
      this.child.send({ ...body, id });
    });
  }
}
