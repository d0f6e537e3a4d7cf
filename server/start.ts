// The whole server on one port: the gateway (WebSocket and HTTP API) with the web console's routes. What
// `npm start` runs (through boot.ts) and what the end-to-end tests start; benchmarks start the bare gateway.
import { registerWebConsole } from '../console/index.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../gateway/index.ts';

export type ServerOptions = GatewayOptions;
export type RunningServer = RunningGateway;

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startGateway({ ...options, routes: [registerWebConsole, ...(options.routes ?? [])] });
}
