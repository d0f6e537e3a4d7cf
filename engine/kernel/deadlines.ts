// A binary min-heap of future deadlines. Entries are never removed in place: when a group settles early or an
// offer's end moves, its old entry stays and is recognised as stale when it reaches the top (the owner checks
// `isLive`). Ties are broken by kind (a mechanism's own deadlines first, so a group due at its offer's end settles
// by its own deadline; then offer ends, rule set changes, reprices and retirements) and then by `order`, which
// makes settlement order deterministic.
import type { MarketType } from '../registry.ts';

/**
 * A mechanism's deadline is named after its mechanism (`group`, `auction`, `reservation`, …) and settled by it;
 * `offer_end`: the offer's end; `rule_set`: an offer's scheduled rule set comes into force; `reprice`: an offer's
 * price may move by itself (a window edge, a decay or surge step) or a coalesced price event is due; `retire`: a
 * closed offer leaves memory once its retention has passed.
 */
export type DeadlineKind = MarketType | 'offer_end' | 'rule_set' | 'reprice' | 'retire';

export interface Deadline {
  atMs: number;
  kind: DeadlineKind;
  /** The offer's id. */
  id: string;
  order: number;
  /** A mechanism's deadline: which of its own deadlines this is (a group id, a hold id, `step`, …). */
  ref?: string;
}

/** At the same instant: what a mechanism promised settles under the prices it was made under, then offers end, then prices move. */
function rankOf(kind: DeadlineKind): number {
  switch (kind) {
    case 'offer_end':
      return 1;
    case 'rule_set':
      return 2;
    case 'reprice':
      return 3;
    case 'retire':
      return 4;
    default:
      return 0;
  }
}

function before(a: Deadline, b: Deadline): boolean {
  if (a.atMs !== b.atMs) return a.atMs < b.atMs;
  if (a.kind !== b.kind) {
    const rankA = rankOf(a.kind);
    const rankB = rankOf(b.kind);
    if (rankA !== rankB) return rankA < rankB;
  }
  if (a.order !== b.order) return a.order < b.order;
  // A total order, so a queue rebuilt after a restore settles simultaneous deadlines exactly as the original did.
  if (a.kind !== b.kind) return a.kind < b.kind;
  return (a.ref ?? '') < (b.ref ?? '');
}

export class DeadlineQueue {
  private heap: Deadline[] = [];
  /** Entries left by the last compaction: all live then. */
  private sizeAfterCompact = 0;

  get size(): number {
    return this.heap.length;
  }

  push(entry: Deadline): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The earliest entry for which `isLive` holds, dropping stale ones on the way; it stays queued. */
  peekLive(isLive: (entry: Deadline) => boolean): Deadline | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (isLive(top)) return top;
      this.pop();
    }
    return undefined;
  }

  pop(): Deadline | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }

  /** Keeps only live entries, so the heap stays bounded by live deadlines. */
  compact(isLive: (entry: Deadline) => boolean): void {
    const live = this.heap.filter(isLive);
    this.heap = [];
    for (const entry of live) this.push(entry);
    this.sizeAfterCompact = live.length;
  }

  /**
   * Compacts once the heap has more than doubled since it was last all live: the heap stays within twice the
   * live deadlines (plus a constant), and compaction costs O(n) once per O(n) pushes, so it is free amortized.
   */
  compactIfBloated(isLive: (entry: Deadline) => boolean): void {
    if (this.heap.length > 2 * this.sizeAfterCompact + 1024) this.compact(isLive);
  }
}
