// Counts of open connections per key (a remote address, a shopper id), for the per-address and per-shopper caps.
// A key is kept only while it has at least one open connection, so the map never holds more keys than there are
// open connections (itself bounded by `maxConnections`).
export class ConnectionCounts {
  private readonly counts = new Map<string, number>();

  /** Whether one more connection for `key` stays within `max` (0: no cap). */
  hasRoom(key: string, max: number): boolean {
    return max === 0 || (this.counts.get(key) ?? 0) < max;
  }

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Forgets the key once its last connection closed. */
  remove(key: string): void {
    const count = this.counts.get(key);
    if (count === undefined) return;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }

  get keys(): number {
    return this.counts.size;
  }
}
