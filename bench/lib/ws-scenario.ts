// The market the gateway benchmarks run against, shared by the bench process (which builds the messages) and the
// server child (which lists the offers and opens the groups before anything is timed), so both sides agree on
// every id without sending the plan over IPC.
//
// Commands are chosen so every measured one succeeds and emits a fixed number of deltas, whatever the run's
// length: a shopper alternately joins and leaves a group that never forms (minSize above the two members it ever
// has), so inventory, group size and the per-command work stay flat for millions of commands.
import type { UnstampedCommand } from '../../runtime/index.ts';

export const BENCH_MERCHANT = 'bench-merchant';
/** Quoted by the throughput phase and the HTTP benchmark. */
export const QUOTE_OFFER = 'bench-quote';
/** One group per throughput connection, joined and left by that connection's shopper. */
export const JOIN_OFFER = 'bench-join';
/** The offer whose channel the fan-out subscribers watch. */
export const FAN_OFFER = 'bench-fan';
export const FAN_GROUP = 'bench-fan-group';
export const FAN_LEADER = 'bench-fan-leader';
/** The shopper whose joins and leaves are broadcast to the subscribers. */
export const FAN_DRIVER = 'bench-fan-driver';
/** Deltas on the offer channel per join or leave: `group_joined`/`group_left`, then `stock_changed`. */
export const DELTAS_PER_FAN_COMMAND = 2;

export const joinGroupId = (connection: number): string => `bench-tp-${connection}`;
export const joinShopperId = (connection: number): string => `bench-tp-shopper-${connection}`;
const joinLeaderId = (connection: number): string => `bench-tp-leader-${connection}`;

const HOUR_MS = 3_600_000;

function offer(offerId: string, minSize: number): UnstampedCommand {
  return {
    type: 'create_offer',
    merchantId: BENCH_MERCHANT,
    offerId,
    title: `Benchmark offer ${offerId}`,
    currency: 'CNY',
    inventory: 1_000_000,
    basePriceMinor: 8_800,
    // A quote then walks the same rules as a real one: base, size tier, leader discount.
    mechanism: {
      type: 'group',
      minSize,
      maxSize: minSize + 2,
      // Long enough that no deadline falls due during a run: a settlement would change the per-command work.
      windowMs: 12 * HOUR_MS,
      tiers: [{ minSize, priceMinor: 6_600 }],
      leaderDiscountBps: 1_000,
      newcomerOnly: false,
      autoFillMaxSeats: 0,
      matchOpensGroup: true,
    },
  };
}

function openGroup(offerId: string, groupId: string, leaderId: string): UnstampedCommand {
  return { type: 'open_group', offerId, groupId, shopperId: leaderId, newcomer: false, qty: 1 };
}

/** Everything the gateway needs before the run, in order; each must be accepted. */
export function setupCommands(joinConnections: number): UnstampedCommand[] {
  const commands = [offer(QUOTE_OFFER, 3), offer(JOIN_OFFER, 3), offer(FAN_OFFER, 3), openGroup(FAN_OFFER, FAN_GROUP, FAN_LEADER)];
  for (let i = 0; i < joinConnections; i++) commands.push(openGroup(JOIN_OFFER, joinGroupId(i), joinLeaderId(i)));
  return commands;
}

// Client messages, built as text: the load generator sends millions and JSON.stringify would be its hot spot.

export const quoteMessage = (n: number): string => `{"type":"quote","requestId":"q${n}","offerId":"${QUOTE_OFFER}"}`;
export const joinMessage = (groupId: string, n: number): string => `{"type":"join_group","requestId":"j${n}","groupId":"${groupId}"}`;
export const leaveMessage = (groupId: string, n: number): string => `{"type":"leave_group","requestId":"l${n}","groupId":"${groupId}"}`;
export const subscribeMessage = (channel: string): string => `{"type":"subscribe","requestId":"s","channel":"${channel}"}`;
export const authenticateMessage = (token: string): string => `{"type":"authenticate","requestId":"a","token":"${token}"}`;

/**
 * Every server message starts with `{"type":"`, so the byte after it tells the kinds apart without parsing:
 * the generator must spend its CPU on sockets, not on JSON.
 */
export const TYPE_BYTE = 9;
export const KIND = {
  ack: 0x61, // a
  delta: 0x64, // d
  error: 0x65, // e
  presence: 0x70, // p
  subscribed: 0x73, // s
  welcome: 0x77, // w
} as const;

/** A message of exactly `bytes` bytes that the fan-out subscribers count as a delta: the raw baseline's payload. */
export function paddedDelta(bytes: number): string {
  const head = `{"type":"delta","channel":"offer:${FAN_OFFER}","offset":0,"event":{"pad":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
