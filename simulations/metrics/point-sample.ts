// A bounded, evenly thinned record of individual points (each bid's time and amount) for scatter charts. It keeps
// every point until `pointsMax`, then every second one, then every fourth…: the kept points stay spread over the
// whole run, memory stays bounded, and the result depends only on the points in order (deterministic).
export type SamplePoint = [atMs: number, value: number];

export class PointSample {
  private readonly points: SamplePoint[] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly pointsMax: number) {}

  add(atMs: number, value: number): void {
    if (this.seen++ % this.stride !== 0) return;
    this.points.push([atMs, value]);
    if (this.points.length < this.pointsMax) return;
    // Full: keep the points at even positions (those a doubled stride would have kept) and go on at that stride.
    let kept = 0;
    for (let i = 0; i < this.points.length; i += 2) this.points[kept++] = this.points[i]!;
    this.points.length = kept;
    this.stride *= 2;
  }

  toPoints(): SamplePoint[] {
    return this.points.map(([at, value]) => [at, value]);
  }
}
