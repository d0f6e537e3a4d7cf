// The server started the way people start it: `npm start` (npm → sh → the server, or whatever chain the
// `start` script makes) as a detached process group, so a test can send a signal to the whole group the way a
// terminal's Ctrl-C or `kill -TERM -<pgid>` does. Its output is parsed for the listening line and the server's
// own pid (pino puts it on every record). `closed()` resolves once every process that held the output pipe has
// exited, which includes a server that outlived npm.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/lib/server-process.ts';

const OUTPUT_TAIL_CHARS = 256 * 1024;
const running = new Set<ChildProcess>();

// If the test process dies, take our process groups with it (only ours, by their group id).
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

export interface GroupExit {
  /** How npm (the group's leader) exited. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class NpmStartedServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly httpUrl: string,
    /** The server's own pid, from its log records. */
    readonly serverPid: number,
    private readonly done: Promise<GroupExit>,
    private readonly output: { stdout: string; stderr: string },
  ) {}

  /** The process group's id: npm's pid, as it was started detached. */
  get groupId(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Runs `npm <args>` (default `npm start`) in `cwd` as a new process group and waits (bounded) until the server
   * prints its listening line and its first log record. Rejects with the output when it exits first.
   */
  static start(env: Record<string, string>, options: { cwd?: string; args?: string[]; readyTimeoutMs?: number } = {}): Promise<NpmStartedServer> {
    const { cwd = REPO_ROOT, args = ['start'], readyTimeoutMs = 60_000 } = options;
    const child = spawn('npm', args, {
      cwd,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk: Buffer) => (output.stdout = (output.stdout + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)));
    child.stderr?.on('data', (chunk: Buffer) => (output.stderr = (output.stderr + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)));
    // 'close' comes after 'exit' and after both pipes closed: every process of the group that inherited them is gone.
    const done = new Promise<GroupExit>((resolve) => {
      child.once('close', (code, signal) => {
        running.delete(child);
        resolve({ code, signal, stdout: output.stdout, stderr: output.stderr });
      });
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      let url: string | null = null;
      let pid: number | null = null;
      let lineBuffer = '';
      const finish = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          killGroup(child, 'SIGKILL');
          reject(error);
        } else {
          resolve(new NpmStartedServer(child, url!, pid!, done, output));
        }
      };
      const timer = setTimeout(() => finish(new Error(`npm ${args.join(' ')} did not listen within ${readyTimeoutMs} ms\n${output.stdout}\n${output.stderr}`)), readyTimeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (settled) return;
        lineBuffer += chunk.toString('utf8');
        let newline = lineBuffer.indexOf('\n');
        while (newline !== -1) {
          const line = lineBuffer.slice(0, newline);
          lineBuffer = lineBuffer.slice(newline + 1);
          newline = lineBuffer.indexOf('\n');
          const listening = /^tuan listening on (http:\/\/\S+)/.exec(line);
          if (listening) url = listening[1]!;
          if (pid === null && line.startsWith('{')) {
            const record = JSON.parse(line) as { pid?: unknown };
            if (typeof record.pid === 'number') pid = record.pid;
          }
        }
        if (url !== null && pid !== null) finish(null);
      });
      void done.then((exit) => finish(new Error(`npm ${args.join(' ')} exited (${exit.code ?? exit.signal}) before listening\n${exit.stdout}\n${exit.stderr}`)));
    });
  }

  /**
   * Resolves when a line of the output after `fromChars` (characters of stdout already seen) matches; false when
   * the group exits first.
   */
  waitForLine(matches: (line: string) => boolean, fromChars: number): Promise<boolean> {
    const seen = (): boolean => this.output.stdout.slice(fromChars).split('\n').some(matches);
    if (seen()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onData = (): void => {
        if (!seen()) return;
        this.child.stdout?.off('data', onData);
        resolve(true);
      };
      // Registered after the recording listener, so the output already holds this chunk when it runs.
      this.child.stdout?.on('data', onData);
      void this.done.then(() => {
        this.child.stdout?.off('data', onData);
        resolve(seen());
      });
    });
  }

  /** Sends `signal` to every process of the group, as a terminal does (Ctrl-C: SIGINT). */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.groupId, signal);
  }

  /** Sends `signal` to npm alone, as a supervisor that knows only its child's pid does. */
  signalLeader(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once every process of the group that shares its output is gone; kills the group after `timeoutMs`. */
  async closed(timeoutMs = 60_000): Promise<GroupExit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        killGroup(this.child, 'SIGKILL');
        reject(new Error(`the process group did not exit within ${timeoutMs} ms\n${this.output.stdout.slice(-4_000)}\n${this.output.stderr.slice(-4_000)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort for a test's `finally`: SIGKILL to the whole group, then wait for it. */
  async destroy(): Promise<void> {
    killGroup(this.child, 'SIGKILL');
    await this.done;
  }

  stdout(): string {
    return this.output.stdout;
  }
}
