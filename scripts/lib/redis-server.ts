// A private redis-server for tests: its own free loopback port and its own temporary directory, started and
// stopped by pid so a test never touches any other Redis on the machine. Tests that restart Redis use the
// same port and directory, so the AOF (when on) brings the data back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  appendonly?: boolean;
  appendfsync?: 'always' | 'everysec' | 'no';
  maxmemoryPolicy?: string;
  /** How long to wait for "Ready to accept connections". */
  readyTimeoutMs?: number;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const running = new Set<ChildProcess>();

// If the test process dies, take our servers with it (only ours: we kill the children we spawned, by pid).
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class RedisServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'tuan-redis-'));
    let lastError: unknown;
    // A free port can be taken between finding it and binding it; try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServer(await freePort(), dir, options);
      try {
        await server.launch();
        return server;
      } catch (error) {
        lastError = error;
        if (!String(error).includes('Address already in use')) break;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** Starts the server again on the same port and directory (after `stop` or `kill`). */
  async restart(): Promise<void> {
    if (this.child !== null) throw new Error('the test redis-server is still running');
    await this.launch();
  }

  /** SIGKILL: Redis gets no chance to flush anything, like a crash. Resolves once the process is gone. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: a clean shutdown. Resolves once the process is gone. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === null) return Promise.resolve();
    this.child = null;
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  private launch(): Promise<void> {
    const { appendonly = false, appendfsync = 'always', maxmemoryPolicy = 'noeviction', readyTimeoutMs = 10_000 } = this.options;
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--dir', this.dir,
      '--daemonize', 'no',
      '--logfile', '',
      '--save', '',
      '--appendonly', appendonly ? 'yes' : 'no',
      '--appendfsync', appendfsync,
      '--maxmemory-policy', maxmemoryPolicy,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let settled = false;
      const finish = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === null) {
          this.child = child;
          running.add(child);
          resolve();
        } else {
          child.kill('SIGKILL');
          reject(error);
        }
      };
      // Waiting for an external process to come up is the one place a timeout is the right tool.
      const timer = setTimeout(() => finish(new Error(`redis-server did not become ready within ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
      const onOutput = (chunk: Buffer) => {
        // Keep only the tail: enough for an error message, bounded however chatty the server is.
        output = (output + chunk.toString('utf8')).slice(-8_192);
        if (output.includes('Ready to accept connections')) finish(null);
      };
      child.stdout?.on('data', onOutput);
      child.stderr?.on('data', onOutput);
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          finish(new Error(`${BINARY} is not installed: install it with \`apt-get install redis-server\` (scripts/ensure-redis.sh does this)`));
        } else {
          finish(error);
        }
      });
      child.once('exit', (code, signal) => finish(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`)));
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
