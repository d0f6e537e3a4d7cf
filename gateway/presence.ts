// Watcher counts of offer and group channels. Counts change with every subscribe and disconnect; publishing each
// change would flood busy channels, so changes are collected and published at most once per interval per channel.
// Presence messages are not deltas: they carry no offset and are not kept for resume (only the latest matters).
import type { TemplatedApp } from 'uWebSockets.js';

export class Presence {
  private readonly dirty = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly app: TemplatedApp,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Notes that a channel's watchers changed. The set is bounded by the channels that have or had watchers. */
  changed(channel: string): void {
    this.dirty.add(channel);
  }

  watchers(channel: string): number {
    return this.app.numSubscribers(channel);
  }

  flush(): void {
    for (const channel of this.dirty) {
      const watchers = this.app.numSubscribers(channel);
      if (watchers > 0) this.app.publish(channel, `{"type":"presence","channel":${JSON.stringify(channel)},"watchers":${watchers}}`, false);
    }
    this.dirty.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.dirty.clear();
  }
}
