// The real server (`server/main.ts`) as a child process: started with its own environment, killed with
// SIGKILL (a crash: no shutdown code runs) or stopped with SIGTERM (graceful), by its pid only. Its stdout is
// parsed for the "listening" line and the pino `recovered` record, so a test learns the port and the state
// recovery produced before any new command ran.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RecoveredRecord {
  lastSeq: number;
  snapshotSeq: number | null;
  replayed: number;
  stateHash: string;
  ms: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Output kept per stream: enough to explain a failure, bounded however chatty the server is. */
const OUTPUT_TAIL_CHARS = 64 * 1024;
const running = new Set<ChildProcess>();

// If the test process dies, take our servers with it (only ours, by pid).
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function spawnServer(env: Record<string, string>): ChildProcess {
  // node --import tsx, not `npx tsx`: npx would put a second process between us and the server, and a
  // SIGKILL of that one would leave the server running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly httpUrl: string,
    readonly recovered: RecoveredRecord,
    private readonly exit: Promise<Exit>,
    /** Tails of the server's output, updated as it runs. */
    private readonly captured: { stdout: string; stderr: string },
  ) {}

  get wsUrl(): string {
    return `${this.httpUrl.replace(/^http/, 'ws')}/ws`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Starts the server and waits (bounded: an external process coming up) until it listens. Rejects with its
   * output when it exits first or does not come up in time.
   */
  static start(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServerProcess> {
    const child = spawnServer(env);
    const output = { stdout: '', stderr: '' };
    let recovered: RecoveredRecord | null = null;
    let lineBuffer = '';
    let url: string | null = null;
    const exit = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, stdout: output.stdout, stderr: output.stderr }));
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, url?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== null) {
          child.kill('SIGKILL');
          reject(error);
          return;
        }
        resolve(new ServerProcess(child, url!, recovered!, exit, output));
      };
      const timer = setTimeout(() => finish(new Error(`the server did not listen within ${readyTimeoutMs} ms\n${output.stdout}\n${output.stderr}`)), readyTimeoutMs);
      const onStdout = (chunk: Buffer): void => {
        output.stdout = (output.stdout + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
        if (settled) return;
        lineBuffer += chunk.toString('utf8');
        let newline = lineBuffer.indexOf('\n');
        while (newline !== -1) {
          const line = lineBuffer.slice(0, newline);
          lineBuffer = lineBuffer.slice(newline + 1);
          newline = lineBuffer.indexOf('\n');
          if (line.startsWith('{')) {
            const record = JSON.parse(line) as Record<string, unknown>;
            if (record.msg === 'recovered') recovered = record as unknown as RecoveredRecord;
          }
          const listening = /^tuan listening on (http:\/\/\S+)/.exec(line);
          if (listening) url = listening[1]!;
        }
        // pino writes asynchronously and the listening line synchronously: either may come first.
        if (url !== null && recovered !== null) finish(null, url);
      };
      child.stdout?.on('data', onStdout);
      child.stderr?.on('data', (chunk: Buffer) => {
        output.stderr = (output.stderr + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      });
      void exit.then((result) => finish(new Error(`the server exited (${result.code ?? result.signal}) before listening\n${result.stdout}\n${result.stderr}`)));
    });
  }

  /** Runs the server expecting it to refuse to start; resolves with how it exited (bounded wait). */
  static async runToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<Exit> {
    const child = spawnServer(env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server was expected to exit within ${timeoutMs} ms but kept running\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** kill -9: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<Exit> {
    this.child.kill('SIGKILL');
    return this.exit;
  }

  /** SIGTERM: graceful shutdown (snapshot, close the store). Resolves once the process is gone. */
  terminate(): Promise<Exit> {
    this.child.kill('SIGTERM');
    return this.exit;
  }

  output(): { stdout: string; stderr: string } {
    return { ...this.captured };
  }
}
