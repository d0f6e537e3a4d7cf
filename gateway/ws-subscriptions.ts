// Subscribing and resuming. Everything here runs synchronously between two sequencer applies, so the snapshot
// (or the replayed deltas) and the live topic join up exactly: the first live delta has the next offset.
import { hasPresence, parseChannel, type ParsedChannel } from './channel-names.ts';
import { channelSnapshot } from './channel-views.ts';
import { refuse, type GatewayContext } from './context.ts';
import type { ClientMessage } from './protocol.ts';
import type { Presence } from './presence.ts';
import { sendError, sendJson, type Connection, type Socket } from './ws-connection.ts';

type SubscribeMessage = Extract<ClientMessage, { type: 'subscribe' }>;
type UnsubscribeMessage = Extract<ClientMessage, { type: 'unsubscribe' }>;

export function handleSubscribe(ctx: GatewayContext, presence: Presence, ws: Socket, conn: Connection, message: SubscribeMessage): void {
  const { requestId, channel: name, resume } = message;
  const channel = parseChannel(name)!;
  const problem = accessProblem(ctx, conn, channel);
  if (problem) {
    sendError(ws, requestId, problem.code, problem.message, ctx.clock());
    return;
  }
  const already = conn.subscriptions?.has(name) ?? false;
  if (!already && (conn.subscriptions?.size ?? 0) >= ctx.config.maxSubscriptionsPerConnection) {
    const refusal = refuse(ctx, 'too_many_subscriptions', `A connection may watch at most ${ctx.config.maxSubscriptionsPerConnection} channels.`);
    sendError(ws, requestId, refusal.code, refusal.message, ctx.clock());
    return;
  }

  const existing = ctx.channels.get(name);
  if (resume && existing) {
    const outcome = ctx.channels.resumeFrom(existing, resume.epoch, resume.offset);
    if (outcome.recovered) {
      watch(ctx, ws, conn, presence, channel, name);
      ws.cork(() => {
        ws.send(JSON.stringify(subscribed(ctx, requestId, name, existing.epoch, resume.offset, channel, { recovered: true })), false);
        for (const delta of outcome.missed) ws.send(delta, false);
      });
      return;
    }
  }

  const snapshot = channelSnapshot(ctx.engine, channel);
  if (snapshot === null) {
    const refusal = refuse(ctx, channel.kind === 'offer' ? 'unknown_offer' : 'unknown_group', `Nothing live to watch at "${name}".`);
    sendError(ws, requestId, refusal.code, refusal.message, ctx.clock());
    return;
  }
  const live = ctx.channels.open(name);
  watch(ctx, ws, conn, presence, channel, name);
  const extra = resume ? { recovered: false, snapshot } : { snapshot };
  sendJson(ws, subscribed(ctx, requestId, name, live.epoch, live.offset, channel, extra));
}

export function handleUnsubscribe(ctx: GatewayContext, presence: Presence, ws: Socket, conn: Connection, message: UnsubscribeMessage): void {
  if (conn.subscriptions?.delete(message.channel)) {
    ws.unsubscribe(message.channel);
    ctx.watchers.remove(message.channel, ws);
    const channel = parseChannel(message.channel)!;
    if (hasPresence(channel.kind)) presence.changed(message.channel);
  }
  // Unsubscribing from a channel not watched is already done: acknowledged, like the engine's idempotent pauses.
  sendJson(ws, { type: 'ack', requestId: message.requestId, serverTimeMs: ctx.clock() });
}

/** Offer and group channels are public; a shopper channel only to that shopper. */
function accessProblem(ctx: GatewayContext, conn: Connection, channel: ParsedChannel) {
  if (channel.kind !== 'shopper') return null;
  if (conn.role !== 'shopper') return refuse(ctx, 'unauthorized', 'Authenticate as this shopper to watch its channel.');
  if (conn.subjectId !== channel.id) return refuse(ctx, 'forbidden', 'A shopper may watch only its own channel.');
  if (conn.expiresAtMs <= ctx.clock()) return refuse(ctx, 'unauthorized', 'Your token has expired; authenticate again with a new one.');
  return null;
}

function watch(ctx: GatewayContext, ws: Socket, conn: Connection, presence: Presence, channel: ParsedChannel, name: string): void {
  if (conn.subscriptions?.has(name)) return;
  (conn.subscriptions ??= new Set()).add(name);
  ws.subscribe(name);
  ctx.watchers.add(name, ws);
  if (hasPresence(channel.kind)) presence.changed(name);
}

function subscribed(
  ctx: GatewayContext,
  requestId: string,
  name: string,
  epoch: string,
  offset: number,
  channel: ParsedChannel,
  extra: { recovered?: boolean; snapshot?: unknown },
): object {
  const watchers = hasPresence(channel.kind) ? { watchers: ctx.app.numSubscribers(name) } : {};
  return { type: 'subscribed', requestId, channel: name, epoch, offset, ...extra, ...watchers, serverTimeMs: ctx.clock() };
}
