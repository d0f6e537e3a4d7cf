// A value over time (a price, units held, live groups, a queue's length) in at most `pointsMax` points, however
// long the run. Time is cut into equal intervals; each keeps its last sample (time and value).
// When the run outgrows the intervals, they double in width and neighbours merge, so memory stays bounded and the
// result depends only on the samples, never on when the report was asked for.
export type SeriesPoint = [atMs: number, value: number];

export class TimeSeries {
  private widthMs: number;
  /** Interval index → the last sample in it; sparse while values change rarely. */
  private readonly points = new Map<number, SeriesPoint>();
  private lastIndex = -1;

  constructor(
    private readonly startMs: number,
    expectedSpanMs: number,
    private readonly pointsMax: number,
  ) {
    this.widthMs = Math.max(1, Math.ceil(expectedSpanMs / pointsMax));
  }

  set(atMs: number, value: number): void {
    let index = Math.floor((Math.max(atMs, this.startMs) - this.startMs) / this.widthMs);
    while (index >= this.pointsMax) {
      this.coarsen();
      index = Math.floor((Math.max(atMs, this.startMs) - this.startMs) / this.widthMs);
    }
    // Samples arrive in time order in both modes; a late one (live clocks) joins the newest interval.
    if (index < this.lastIndex) index = this.lastIndex;
    this.points.set(index, [atMs, value]);
    this.lastIndex = index;
  }

  /** The last sample of each interval that had one, in time order. */
  toPoints(): SeriesPoint[] {
    return [...this.points.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => [point[0], point[1]]);
  }

  private coarsen(): void {
    const merged = new Map<number, SeriesPoint>();
    // Insertion order is time order, so the later of two merged intervals overwrites the earlier.
    for (const [index, value] of this.points) merged.set(index >> 1, value);
    this.points.clear();
    for (const [index, value] of merged) this.points.set(index, value);
    this.widthMs *= 2;
    this.lastIndex = this.lastIndex >> 1;
  }
}
