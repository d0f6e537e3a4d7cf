// Broadcast measurements: one driver client triggers a broadcast (a join or leave on the gateway, a publish
// request on the raw server), N subscriber clients receive it, and each delivery is timed against the moment the
// trigger was sent. The same code measures the gateway and the raw uWS publisher, so the two figures differ
// only by what the server does between reading the trigger and handing the messages to uWS.
//
// Times are taken in this process only (one clock, no cross-process skew): "publish" is the moment the driver
// sent its trigger, so every figure includes one loopback hop to the server that the raw baseline pays too.
// All subscribers live in this one thread, so the last receiver is also the one this process read last: at
// thousands of subscribers the spread between first and last receiver is mostly the generator reading sockets.
import { timeRounds, timeWindowed, type BroadcastWiring, type FanoutResult, type RoundsResult } from './broadcast-tracker.ts';
import type { ServerChild } from './ws-child.ts';
import type { Client } from './ws-load.ts';
import { KIND, TYPE_BYTE } from './ws-scenario.ts';

export type { FanoutResult, RoundsResult } from './broadcast-tracker.ts';

export interface Broadcast {
  subscribers: readonly Client[];
  driver: Client;
  server: ServerChild;
  /** The driver's n-th trigger message. */
  trigger: (n: number) => string;
  /** Messages every subscriber receives per trigger. */
  perTrigger: number;
  /** Triggers sent so far over all runs (the gateway's driver alternates join and leave by its parity). */
  sent: number;
}

/**
 * Wires `ws` clients to the shared tracker. Subscribers look at one byte of each message: presence updates and
 * anything else that is not a delta carry no offset and are not counted. `sizes` collects the byte sizes of the
 * first trigger's messages as subscriber 0 got them.
 */
function wsWiring(b: Broadcast, sizes: number[]): BroadcastWiring {
  return {
    subscriberCount: b.subscribers.length,
    perTrigger: b.perTrigger,
    server: b.server,
    label: 'broadcast',
    attach(tracker) {
      for (const subscriber of b.subscribers) {
        const j = subscriber.index;
        subscriber.onMessage = (data) => {
          if (data[TYPE_BYTE] !== KIND.delta) return;
          const t = tracker.received(j);
          if (j === 0 && t === 0) sizes.push(data.length);
        };
      }
      b.driver.onMessage = (data) => {
        const kind = data[TYPE_BYTE];
        if (kind === KIND.error) tracker.fail(new Error(`the trigger was refused: ${data.toString('utf8')}`));
        else if (kind === KIND.ack) tracker.acked();
      };
    },
    send() {
      b.driver.ws.send(b.trigger(b.sent++));
    },
  };
}

/**
 * One trigger at a time (see timeRounds). Only the even triggers over all runs are recorded: the gateway's
 * driver alternates join and leave by parity, so those are its joins; the raw server is recorded the same way.
 */
export async function broadcastRounds(b: Broadcast, rounds: number, warmupRounds: number, maxMs: number): Promise<RoundsResult> {
  const startN = b.sent;
  const sizes: number[] = [];
  const result = await timeRounds(wsWiring(b, sizes), rounds, warmupRounds, maxMs, (t) => (startN + t) % 2 === 0);
  return { ...result, sizes };
}

/** `window` triggers in flight: each completed one sends the next. Measures delivered messages per second. */
export function broadcastWindowed(b: Broadcast, window: number, warmupMs: number, durationMs: number): Promise<FanoutResult> {
  return timeWindowed(wsWiring(b, []), window, warmupMs, durationMs);
}
