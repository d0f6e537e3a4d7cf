// The Socket.IO side of the fan-out comparison, run as a child process (see socketio-child.ts) for the same
// reasons as the gateway's (ws-server-child.ts): a CPU of its own, CPU time and memory read apart from the load
// generator's, and a crash or a hang cannot take the bench process with it.
//
// It is what a Socket.IO application doing the same job would write: subscribers join a room, and a publish
// request broadcasts the offer's deltas to that room with `io.to(room).emit(...)`, then acknowledges. Socket.IO
// encodes a room broadcast once and writes the same frame to every socket, so the comparison is with Socket.IO
// at its best, not with a per-socket loop. The payloads are objects built before anything is timed (an app
// would build them per event), so the server's work is the broadcast alone.
//
// Two engines: `ws` is Socket.IO's default (a Node http server and the `ws` package); `uws` attaches the same
// Socket.IO server to a uWebSockets.js app (`io.attachApp`), where a one-room broadcast becomes a uWS publish.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import uWS from 'uWebSockets.js';
import { processUsage, serveRequests } from './child-serve.ts';
import type { SocketIoRequest } from './socketio-child.ts';

const ROOM = 'offer:bench-fan';

let io: Server | null = null;
let httpServer: HttpServer | null = null;
let uwsListen: uWS.us_listen_socket | null = null;
let deltas: unknown[] = [];

function serverOptions() {
  return {
    // WebSocket only, no long-polling first: the same transport as the gateway's clients, no upgrade dance.
    transports: ['websocket' as const],
    serveClient: false,
    perMessageDeflate: false,
    httpCompression: false,
    // The gateway's frame limit (gateway/ws-handlers.ts), so neither side is allowed bigger messages.
    maxHttpBufferSize: 64 * 1024,
    // Pings every 25 s by default: longer than any run, so none lands in a measured window on either side.
    connectTimeout: 60_000,
  };
}

function wire(server: Server): void {
  server.on('connection', (socket) => {
    socket.on('subscribe', (ack: () => void) => {
      void socket.join(ROOM);
      ack();
    });
    socket.on('publish', (ack: () => void) => {
      for (const delta of deltas) server.to(ROOM).emit('delta', delta);
      ack();
    });
  });
}

async function start(request: Extract<SocketIoRequest, { op: 'start' }>): Promise<number> {
  if (request.engine === 'ws') {
    const http = createServer();
    const server = new Server(http, serverOptions());
    wire(server);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen({ host: '127.0.0.1', port: 0, backlog: 4_096 }, () => resolve());
    });
    io = server;
    httpServer = http;
    return (http.address() as AddressInfo).port;
  }
  const app = uWS.App();
  const server = new Server(serverOptions());
  server.attachApp(app);
  wire(server);
  io = server;
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (listenSocket) => {
      if (!listenSocket) return reject(new Error('Socket.IO on uWS cannot listen'));
      uwsListen = listenSocket;
      resolve(uWS.us_socket_local_port(listenSocket));
    });
  });
}

async function stop(): Promise<void> {
  if (io) {
    io.disconnectSockets(true);
    io.engine.close();
  }
  if (uwsListen) uWS.us_listen_socket_close(uwsListen);
  if (httpServer) {
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer!.close(() => resolve()));
  }
}

async function handle(request: SocketIoRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      return { port: await start(request) };
    case 'payload':
      deltas = request.deltas.map((text) => JSON.parse(text) as unknown);
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
