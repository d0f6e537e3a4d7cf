// What every page is given: the server's clock, where the socket is, and what this server offers (read once from
// `/console/config.json`, so a page can say "effects are not configured" instead of failing a call).
import type { ServerClock } from './server-clock.ts';

export interface ConsoleConfig {
  /** `POST /dev/shopper-tokens` is on (development): the shopper demo can make its own tokens. */
  devTokens: boolean;
  /** Effects (orders, payments, webhooks, dead letters) run: the server has Redis. */
  effects: boolean;
  /** The WebSocket protocol version the server speaks. */
  protocolVersion: number;
}

export interface AppContext {
  clock: ServerClock;
  wsUrl: string;
  config: ConsoleConfig;
}

/** A page mounted into `root`; returns what tears it down (closes its socket, stops its timers). */
export type Page = (root: HTMLElement, params: URLSearchParams, app: AppContext) => () => void;
