// Which sockets watch each channel, so that a publish can check the send buffers of exactly the sockets it wrote
// to. uWS's `publish` writes to every subscriber natively and tells nothing per socket; without this check a burst
// between two sweeps could reach uWS's hard backpressure bound, which drops the connection with 1006 instead of
// the documented 4008. A channel is kept only while it has watchers: bounded by connections × subscriptions.
import type { Socket } from './ws-connection.ts';

export class ChannelWatchers {
  private readonly byChannel = new Map<string, Set<Socket>>();

  add(channel: string, ws: Socket): void {
    let set = this.byChannel.get(channel);
    if (!set) this.byChannel.set(channel, (set = new Set()));
    set.add(ws);
  }

  remove(channel: string, ws: Socket): void {
    const set = this.byChannel.get(channel);
    if (!set) return;
    set.delete(ws);
    if (set.size === 0) this.byChannel.delete(channel);
  }

  /** The sockets watching `channel` whose unsent bytes are above `limitBytes`. */
  over(channel: string, limitBytes: number): Socket[] {
    const set = this.byChannel.get(channel);
    if (!set) return [];
    let found: Socket[] | null = null;
    for (const ws of set) if (ws.getBufferedAmount() > limitBytes) (found ??= []).push(ws);
    return found ?? [];
  }

  get channels(): number {
    return this.byChannel.size;
  }
}
