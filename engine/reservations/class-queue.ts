// A waiting line with priority classes and aging: who is served next, and how many are ahead of a given shopper.
//
// Order: by effective class (0 first), then by join order (ticket). A shopper's effective class is its class minus
// one for every `agingMs` it has waited (never below 0), so a low class cannot starve: given time, it reaches
// class 0 and then its ticket, older than every later arrival's, puts it ahead.
//
// Shape: one FIFO lane per class. Within a lane everyone has the same class, so the oldest has the best effective
// class and the smallest ticket: the lane's front dominates the whole lane. The next shopper is therefore the best
// of the lanes' fronts (O(classes)). For the same reason a lane is sorted by the order key at any instant, so the
// count of shoppers ahead of someone is, per lane, a prefix found by binary search; a Fenwick tree over each lane's
// slots counts the live ones in that prefix (leaving from the middle leaves a tombstone). Positions cost
// O(classes × log n), so watchers can be told their place without walking the line.

/** What the line needs of each waiting entry. `laneSlot` belongs to the queue: -1 once the entry has left. */
export interface QueueEntry {
  ticket: number;
  priorityClass: number;
  joinedAtMs: number;
  laneSlot: number;
}

/** The entry's class after aging, at `atMs`. */
export function effectiveClass(entry: QueueEntry, atMs: number, agingMs: number | undefined): number {
  if (agingMs === undefined) return entry.priorityClass;
  const steps = Math.floor((atMs - entry.joinedAtMs) / agingMs);
  return steps >= entry.priorityClass ? 0 : entry.priorityClass - steps;
}

/** Whether `a` is served before `b` at `atMs`: better effective class, then the earlier ticket. */
export function servedBefore(a: QueueEntry, b: QueueEntry, atMs: number, agingMs: number | undefined): boolean {
  const classA = effectiveClass(a, atMs, agingMs);
  const classB = effectiveClass(b, atMs, agingMs);
  return classA !== classB ? classA < classB : a.ticket < b.ticket;
}

/** Below this many slots a lane never compacts: rebuilding tiny arrays would cost more than the tombstones. */
const COMPACT_MIN_SLOTS = 64;

class Lane<T extends QueueEntry> {
  private items: T[] = [];
  /** 1-based Fenwick tree of liveness (1 live, 0 tombstone) over `items`. */
  private tree: number[] = [0];
  /** Every slot before `head` is a tombstone. */
  private head = 0;
  live = 0;

  push(entry: T): void {
    const position = this.items.length + 1;
    entry.laneSlot = this.items.length;
    this.items.push(entry);
    // A Fenwick node covers (position - lowbit, position]: the new slot plus what the earlier nodes already count.
    const low = position & -position;
    this.tree.push(1 + this.prefix(position - 1) - this.prefix(position - low));
    this.live++;
  }

  remove(entry: T): void {
    for (let i = entry.laneSlot + 1; i < this.tree.length; i += i & -i) this.tree[i]!--;
    entry.laneSlot = -1;
    this.live--;
    if (this.items.length >= COMPACT_MIN_SLOTS && this.live * 2 < this.items.length) this.compact();
  }

  front(): T | undefined {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.laneSlot === -1) this.head++;
    return items[this.head];
  }

  /** Live entries of this lane that are served before `target` at `atMs`. */
  countBefore(target: QueueEntry, atMs: number, agingMs: number | undefined): number {
    // The lane is sorted by the order key (tombstones keep their keys), so "served before" is a prefix.
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (servedBefore(this.items[mid]!, target, atMs, agingMs)) low = mid + 1;
      else high = mid;
    }
    return this.prefix(low);
  }

  /** Live entries, front first. */
  entries(): T[] {
    const out: T[] = [];
    for (let i = this.head; i < this.items.length; i++) if (this.items[i]!.laneSlot !== -1) out.push(this.items[i]!);
    return out;
  }

  private prefix(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  /** Drops the tombstones: O(slots), once at least half the slots are dead, so O(1) amortized per removal. */
  private compact(): void {
    const live = this.entries();
    this.items = live;
    this.head = 0;
    const tree = new Array<number>(live.length + 1).fill(1);
    tree[0] = 0;
    for (let i = 1; i <= live.length; i++) {
      live[i - 1]!.laneSlot = i - 1;
      const parent = i + (i & -i);
      if (parent <= live.length) tree[parent]! += tree[i]!;
    }
    this.tree = tree;
  }
}

export class ClassQueue<T extends QueueEntry> {
  /** A lane per class, made when its class first waits: most slot waitlists hold a few shoppers of one class. */
  private readonly lanes: (Lane<T> | undefined)[];
  size = 0;

  constructor(classes: number) {
    this.lanes = new Array<Lane<T> | undefined>(classes).fill(undefined);
  }

  /** Adds an entry at the back of its class's lane. Tickets must increase within a lane. */
  push(entry: T): void {
    (this.lanes[entry.priorityClass] ??= new Lane<T>()).push(entry);
    this.size++;
  }

  remove(entry: T): void {
    this.lanes[entry.priorityClass]!.remove(entry);
    this.size--;
  }

  /** The entry served next at `atMs`, or undefined when nobody waits. */
  best(atMs: number, agingMs: number | undefined): T | undefined {
    let best: T | undefined;
    for (const lane of this.lanes) {
      const front = lane?.front();
      if (front !== undefined && (best === undefined || servedBefore(front, best, atMs, agingMs))) best = front;
    }
    return best;
  }

  /** How many waiting entries are served before `entry` at `atMs` (0: it is next). */
  position(entry: QueueEntry, atMs: number, agingMs: number | undefined): number {
    let ahead = 0;
    for (const lane of this.lanes) if (lane !== undefined && lane.live > 0) ahead += lane.countBefore(entry, atMs, agingMs);
    return ahead;
  }

  /** Live entries by lane (class 0 first), each lane front first: the shape a snapshot stores. */
  lanesOfEntries(): T[][] {
    return this.lanes.map((lane) => lane?.entries() ?? []);
  }
}
