// A second server on a port the first listens on must refuse to start. uWS binds with SO_REUSEPORT unless told
// otherwise, and then both would listen and the kernel would split the connections between two independent
// markets, each with its own journal. Two real server processes, each with its own file store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerProcess } from '../../scripts/lib/server-process.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tuan-port-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A port free a moment ago. The first server needs a fixed port: uWS sets SO_REUSEPORT only on a nonzero port,
 * so a first server on port 0 would not show the problem.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('one server per port', () => {
  it('refuses to start a second server on a port in use, naming the port, with exit code 4', async () => {
    // Info: the start helper waits for the `recovered` record.
    const port = String(await freePort());
    const first = await ServerProcess.start({ HOST: '127.0.0.1', PORT: port, LOG_LEVEL: 'info', TUAN_DATA_DIR: await dataDir() });
    cleanups.push(() => first.kill());

    const second = await ServerProcess.runToExit({ HOST: '127.0.0.1', PORT: port, LOG_LEVEL: 'warn', TUAN_DATA_DIR: await dataDir() });
    expect(second.code, second.stderr).toBe(4);
    expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    expect(second.stderr).toContain(`port ${port} is in use`);
    expect(second.stdout).not.toContain('tuan listening on');

    // The first one still has the port and its market.
    const health = await fetch(`${first.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
