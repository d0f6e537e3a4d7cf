// Child side of a benchmark server process (ws-server-child.ts, socketio-server-child.ts): answers the parent's
// IPC requests (child-ipc.ts) and reads this process's usage. One copy, so both servers report the same way.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { IpcReply, IpcRequest } from './child-ipc.ts';
import type { ServerUsage } from './ws-child.ts';

// Memory is read after a full collection, or garbage from the phase before would be billed to the connections.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** A reading of this process, after a full collection when `gc` (for memory figures). */
export function processUsage(gc: boolean): ServerUsage {
  if (gc) {
    // Twice: the first pass may leave finalizer work (uWS socket wrappers) that the second frees.
    collectGarbage();
    collectGarbage();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const elu = performance.eventLoopUtilization();
  return {
    atMs: performance.timeOrigin + performance.now(),
    cpuUs: cpu.user + cpu.system,
    eluActiveMs: elu.active,
    eluIdleMs: elu.idle,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
  };
}

function reply(message: IpcReply, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

/**
 * Answers each request with what `handle` resolves to (or its error); after answering `stop` the process exits.
 * When the parent dies or stops listening, nobody will ever ask this server to stop, so it stops then.
 */
export function serveRequests<R extends IpcRequest>(handle: (request: R) => Promise<unknown>): void {
  process.on('message', (request: R) => {
    handle(request).then(
      (value) => reply({ id: request.id, ok: true, value }, request.op === 'stop' ? () => process.exit(0) : undefined),
      (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
