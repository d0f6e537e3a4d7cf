// The server side of the gateway benchmarks, run as a child process (see ws-child.ts) so it has a CPU of its own,
// its CPU time and memory can be read apart from the load generator's, and a crash or a hang cannot take the
// bench process with it. It serves one of:
// - `gateway`: the real gateway (startGateway, in-memory journal, rate limits lifted), with the benchmark market
//   listed through the sequencer before anything is timed;
// - `raw`: a bare uWebSockets.js app with the gateway's socket settings: `/echo` echoes each message, `/sub`
//   subscribes a socket to one topic, `/pub` publishes pre-encoded messages to it, `GET /json` answers a fixed
//   body. It is the floor the gateway's figures are judged against.
// The parent drives it over IPC; when the parent goes away the IPC channel closes and the child exits with it.
import uWS from 'uWebSockets.js';
import { startGateway, type RunningGateway } from '../../gateway/index.ts';
import { processUsage, serveRequests } from './child-serve.ts';
import type { ChildRequest } from './ws-child.ts';
import { setupCommands } from './ws-scenario.ts';

/** Lifted so the benchmark measures the gateway's work, not its refusals. */
const UNLIMITED = { ratePerS: 1e9, burst: 1e9 };
const RAW_TOPIC = 'fan';
const RAW_ACK = '{"type":"ack"}';
const RAW_SUBSCRIBED = '{"type":"subscribed"}';

let gateway: RunningGateway | null = null;
let raw: { listenSocket: uWS.us_listen_socket; app: uWS.TemplatedApp } | null = null;
let rawDeltas: Buffer[] = [];
let rawHttpBody = '{"ok":true}';

async function startGatewayChild(request: Extract<ChildRequest, { op: 'start' }>): Promise<number> {
  const server = await startGateway({
    config: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      tokenSecret: request.tokenSecret,
      maxConnections: request.maxConnections,
      // Every client of the bench comes from one address, and the quote clients never authenticate or subscribe.
      maxConnectionsPerAddress: 0,
      authTimeoutMs: 0,
      connectionRate: UNLIMITED,
      shopperRate: UNLIMITED,
      merchantRate: UNLIMITED,
      publicRate: UNLIMITED,
      rateLimitKeysMax: 1_000_000,
      // Above the deepest pipeline the bench builds, so no command is refused as `unavailable`.
      maxQueuedCommands: 1_000_000,
    },
  });
  gateway = server;
  for (const command of setupCommands(request.joinConnections)) {
    const { result } = await server.sequencer.submit(command);
    if (!result.ok) throw new Error(`setup ${command.type} refused: ${result.code}: ${result.message}`);
  }
  return server.port;
}

function startRaw(): Promise<number> {
  const app = uWS.App();
  // The gateway's socket settings (gateway/ws-handlers.ts), so the baseline pays for the same options.
  const settings = {
    compression: uWS.DISABLED,
    maxPayloadLength: 64 * 1024,
    maxBackpressure: 4 * 1024 * 1024,
    closeOnBackpressureLimit: 1,
    idleTimeout: 120,
    sendPingsAutomatically: true,
  };
  app.ws('/echo', { ...settings, message: (ws, message, isBinary) => void ws.send(message, isBinary) });
  app.ws('/sub', {
    ...settings,
    message: (ws) => {
      ws.subscribe(RAW_TOPIC);
      ws.send(RAW_SUBSCRIBED, false);
    },
  });
  app.ws('/pub', {
    ...settings,
    message: (ws) => {
      for (const delta of rawDeltas) app.publish(RAW_TOPIC, delta, false);
      ws.send(RAW_ACK, false);
    },
  });
  app.get('/json', (res) => {
    res.writeHeader('content-type', 'application/json').end(rawHttpBody);
  });
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (listenSocket) => {
      if (!listenSocket) return reject(new Error('raw uWS server cannot listen'));
      raw = { listenSocket, app };
      resolve(uWS.us_socket_local_port(listenSocket));
    });
  });
}

async function stop(): Promise<void> {
  if (gateway) await gateway.close();
  if (raw) {
    uWS.us_listen_socket_close(raw.listenSocket);
    // Drops the connections still open; missing from the type definitions of this uWS build.
    (raw.app as unknown as { close?: () => void }).close?.();
  }
}

async function handle(request: ChildRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      return { port: request.mode === 'gateway' ? await startGatewayChild(request) : await startRaw() };
    case 'raw-payload':
      rawDeltas = request.deltas.map((text) => Buffer.from(text));
      rawHttpBody = request.httpBody;
      return null;
    case 'usage':
      return processUsage(request.gc);
    case 'stop':
      await stop();
      return null;
    default:
      return request satisfies never;
  }
}

serveRequests(handle);
