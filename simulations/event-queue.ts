// The simulation's agenda: tasks ordered by time, and by the order they were scheduled among tasks at the same
// millisecond, so a run is the same sequence of steps every time (a plain heap on time alone would order ties by
// heap shape, which depends on history). Both modes use it: in-process the clock jumps to the next task; live, a
// timer waits for the task's real time.
export interface Task {
  atMs: number;
  seq: number;
  run: () => void;
}

/** Tasks waiting at most; every shopper keeps only a few, so reaching it means a runaway scenario. */
export const PENDING_TASKS_MAX = 5_000_000;

export class EventQueue {
  private readonly heap: Task[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(atMs: number, run: () => void): void {
    if (this.heap.length >= PENDING_TASKS_MAX) throw new Error(`more than ${PENDING_TASKS_MAX} pending simulation tasks: shrink shoppers.max or the arrival rate`);
    const task = { atMs, seq: this.nextSeq++, run };
    const heap = this.heap;
    let i = heap.push(task) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(task, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = task;
  }

  peekAtMs(): number | null {
    return this.heap.length > 0 ? this.heap[0]!.atMs : null;
  }

  pop(): Task | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
