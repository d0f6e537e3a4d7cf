// The process guard of the load benches that start servers (ws-bench.ts, socketio-fanout.ts): whatever happens,
// success, error, Ctrl-C or a run that overstays `--max-seconds`, `cleanUp` runs and no server or client is left
// behind, and the whole run stays bounded in time.

export interface GuardOptions {
  maxSeconds: number;
  /** Progress line writer (stderr), for the watchdog's message. */
  log: (line: string) => void;
  /** Synchronous, so it also works from an `exit` handler: kills children, terminates clients. */
  cleanUp: () => void;
}

/** Runs `body` under exit and signal handlers and a watchdog that stops the process after `maxSeconds`. */
export async function runGuarded({ maxSeconds, log, cleanUp }: GuardOptions, body: () => Promise<void>): Promise<void> {
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    log(`the run took longer than --max-seconds ${maxSeconds}: stopping`);
    cleanUp();
    process.exit(1);
  }, maxSeconds * 1_000);
  try {
    await body();
  } finally {
    clearTimeout(watchdog);
    cleanUp();
  }
}
