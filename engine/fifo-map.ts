// A map that forgets its oldest entries first: the shape of every bounded memory in the engine (settled groups,
// idempotency keys). Entries leave only from the front.
//
// Why not a plain Map and `map.keys().next()`: V8 keeps deleted slots in a Map until it rehashes, and every new
// iterator walks over them, so evicting from the front of a large Map costs time proportional to everything
// evicted before. A side queue of keys with a moving head makes eviction O(1).
export class FifoMap<K, V> {
  private readonly map = new Map<K, V>();
  private keys: (K | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds a new entry at the back. Keys are unique: setting a present key is a programming error. */
  push(key: K, value: V): void {
    if (this.map.has(key)) throw new Error(`FifoMap: key ${String(key)} is already present`);
    this.map.set(key, value);
    this.keys.push(key);
  }

  /** The oldest entry, or undefined when empty. */
  oldest(): [K, V] | undefined {
    if (this.head >= this.keys.length) return undefined;
    const key = this.keys[this.head] as K;
    return [key, this.map.get(key) as V];
  }

  dropOldest(): void {
    if (this.head >= this.keys.length) return;
    this.map.delete(this.keys[this.head] as K);
    this.keys[this.head] = undefined;
    this.head++;
    // Reclaim the dead front of the key queue once it is most of the array.
    if (this.head >= 1_024 && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
  }

  /** Entries oldest first. */
  entries(): [K, V][] {
    return [...this.map];
  }

  values(): V[] {
    return [...this.map.values()];
  }
}
