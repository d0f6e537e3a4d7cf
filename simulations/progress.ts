// A progress bar on stderr for runs longer than a moment: drawn only on a terminal (never into a pipe or a log),
// first after `delayMs`, then at most every `intervalMs`, and erased when the run is done.
export interface Progress {
  update(fraction: number, detail: string): void;
  done(): void;
}

const WIDTH = 28;

export function progressBar(stream: NodeJS.WriteStream = process.stderr, options: { delayMs?: number; intervalMs?: number } = {}): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  const delayMs = options.delayMs ?? 300;
  const intervalMs = options.intervalMs ?? 100;
  const startedAt = Date.now();
  let drawnAt = 0;
  let drawn = false;
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (now - startedAt < delayMs || now - drawnAt < intervalMs) return;
      drawnAt = now;
      drawn = true;
      const share = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(share * WIDTH);
      const elapsed = ((now - startedAt) / 1_000).toFixed(1);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)} % ${elapsed} s ${detail}`.slice(0, (stream.columns || 100) - 1) + '\x1b[K');
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
