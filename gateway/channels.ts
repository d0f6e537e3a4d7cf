// Channels: numbered delta streams with a bounded history, so a client that reconnects gets exactly what it
// missed (modelled on Centrifuge's offset + epoch). Contract:
// - Offsets of a channel start at 0 in each epoch and grow by one per delta, with no gaps.
// - An epoch names one life of a channel's numbering. It changes when the server restarts or the channel is
//   forgotten and made again, so an old {epoch, offset} can never be confused with a new stream.
// - `resumeFrom` either returns every delta after the client's offset (exactly once, in order) or says the
//   history no longer covers it; it never returns a partial range.
// A channel exists only once someone subscribed to it: nobody can hold an epoch of a channel never sent, so
// deltas of channels without one are not recorded. Channels and history are bounded; see `forgetBeyondBound`.
import { randomBytes } from 'node:crypto';

export interface Channel {
  readonly name: string;
  readonly epoch: string;
  /** Offset of the latest delta; 0 before the first. */
  offset: number;
  /** Ring of the latest deltas, already serialized; `history[(start + i) % capacity]` has offset `firstOffset + i`. */
  history: string[];
  start: number;
  length: number;
}

/** Where deltas go once recorded: the uWS app's topic publish. */
export type TopicPublisher = (topic: string, message: string) => void;
export type SubscriberCount = (topic: string) => number;

export type ResumeOutcome = { recovered: true; missed: string[] } | { recovered: false; reason: 'epoch_changed' | 'history_exhausted' | 'offset_ahead' };

export interface ChannelRegistryOptions {
  historyPerChannel: number;
  channelsMax: number;
  publish: TopicPublisher;
  subscribers: SubscriberCount;
  /** Distinguishes this process's epochs from any earlier run's. */
  bootId?: string;
}

export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();
  private readonly bootId: string;
  private incarnations = 0;
  /** Deltas recorded, for metrics. */
  deltasPublished = 0;

  constructor(private readonly options: ChannelRegistryOptions) {
    this.bootId = options.bootId ?? randomBytes(4).toString('hex');
  }

  get size(): number {
    return this.channels.size;
  }

  get(name: string): Channel | undefined {
    return this.channels.get(name);
  }

  /** The channel, made (with a new epoch, at offset 0) if it does not exist. */
  open(name: string): Channel {
    let channel = this.channels.get(name);
    if (channel) {
      this.touch(channel);
      return channel;
    }
    channel = { name, epoch: `${this.bootId}-${(++this.incarnations).toString(36)}`, offset: 0, history: [], start: 0, length: 0 };
    this.channels.set(name, channel);
    this.forgetBeyondBound(channel);
    return channel;
  }

  /**
   * Numbers, records and publishes one delta whose event is already JSON, when the channel exists. The event
   * text is spliced in, not re-serialized: one `JSON.stringify` per event, whatever the number of channels.
   */
  publish(name: string, eventJson: string): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    const offset = ++channel.offset;
    const message = `{"type":"delta","channel":${JSON.stringify(name)},"offset":${offset},"event":${eventJson}}`;
    this.record(channel, message);
    this.touch(channel);
    this.deltasPublished++;
    this.options.publish(name, message);
  }

  /** The deltas after `offset` in `epoch`, or why the client needs a fresh snapshot instead. */
  resumeFrom(channel: Channel, epoch: string, offset: number): ResumeOutcome {
    if (epoch !== channel.epoch) return { recovered: false, reason: 'epoch_changed' };
    if (offset > channel.offset) return { recovered: false, reason: 'offset_ahead' };
    const firstOffset = channel.offset - channel.length + 1;
    if (offset + 1 < firstOffset) return { recovered: false, reason: 'history_exhausted' };
    const missed: string[] = [];
    const capacity = this.options.historyPerChannel;
    for (let next = offset + 1; next <= channel.offset; next++) {
      missed.push(channel.history[(channel.start + (next - firstOffset)) % capacity]!);
    }
    return { recovered: true, missed };
  }

  private record(channel: Channel, message: string): void {
    const capacity = this.options.historyPerChannel;
    if (channel.length < capacity) {
      channel.history[(channel.start + channel.length) % capacity] = message;
      channel.length++;
    } else {
      channel.history[channel.start] = message;
      channel.start = (channel.start + 1) % capacity;
    }
  }

  /** Moves a channel to the most-recently-used end, so the bound forgets idle channels first. */
  private touch(channel: Channel): void {
    this.channels.delete(channel.name);
    this.channels.set(channel.name, channel);
  }

  /**
   * Keeps at most `channelsMax` channels: forgets the least recently used ones nobody watches. Channels with
   * watchers are kept even past the bound; their number is bounded by connections × subscriptions each.
   * The scan looks at a bounded number of candidates so one call stays cheap.
   */
  private forgetBeyondBound(keep: Channel): void {
    let excess = this.channels.size - this.options.channelsMax;
    if (excess <= 0) return;
    let scanned = 0;
    for (const channel of this.channels.values()) {
      if (excess <= 0 || scanned++ >= 64) break;
      if (channel === keep || this.options.subscribers(channel.name) > 0) continue;
      this.channels.delete(channel.name);
      excess--;
    }
  }
}
