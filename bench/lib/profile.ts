// In-process CPU profiling for the benchmark's `--profile` mode: samples a piece of work with V8's profiler,
// writes the profile (open it in Chrome DevTools → Performance, or speedscope) and summarises where the time
// went, so the hot spots can be read straight from the terminal without extra tools.
import { writeFileSync } from 'node:fs';
import { Session, type Profiler, type Runtime } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HotSpot {
  functionName: string;
  /**
   * File relative to the working directory. No line: code run through tsx is transpiled onto other lines, so
   * the profile's positions would not match the source.
   */
  location: string;
  /** Share of samples in the function itself. */
  selfPercent: number;
  /** Share of samples in the function or anything it called (recursion counted once). */
  totalPercent: number;
}

export interface ProfileSummary {
  file: string;
  samples: number;
  sampleIntervalUs: number;
  hotSpots: HotSpot[];
}

/** Runs `work` under the sampling profiler and writes the raw profile to `file`. */
export async function profile(file: string, work: () => void, sampleIntervalUs = 100): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: sampleIntervalUs });
    await session.post('Profiler.start');
    work();
    const { profile: result } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(result));
    return { file, samples: result.samples?.length ?? 0, sampleIntervalUs, hotSpots: hotSpots(result) };
  } finally {
    session.disconnect();
  }
}

function locationOf(frame: Runtime.CallFrame): string {
  if (frame.url === '') return '';
  let file = frame.url;
  try {
    file = relative(process.cwd(), fileURLToPath(frame.url));
  } catch {
    // node:internal and other non-file URLs stay as they are.
  }
  return file;
}

/** Self and inclusive sample shares per function, biggest self time first. */
export function hotSpots(result: Profiler.Profile): HotSpot[] {
  const byId = new Map(result.nodes.map((node) => [node.id, node]));
  const childIds = new Set(result.nodes.flatMap((node) => node.children ?? []));
  const keyOf = (node: Profiler.ProfileNode) => `${node.callFrame.functionName || '(anonymous)'}\u0000${locationOf(node.callFrame)}`;

  // Inclusive hits per node, then per function, counting a function once per stack even when it recurses.
  const inclusive = new Map<number, number>();
  const inclusiveOf = (node: Profiler.ProfileNode): number => {
    let hits = node.hitCount ?? 0;
    for (const child of node.children ?? []) hits += inclusiveOf(byId.get(child)!);
    inclusive.set(node.id, hits);
    return hits;
  };
  const roots = result.nodes.filter((node) => !childIds.has(node.id));
  for (const root of roots) inclusiveOf(root);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const onStack = new Map<string, number>();
  const walk = (node: Profiler.ProfileNode): void => {
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    const depth = onStack.get(key) ?? 0;
    if (depth === 0) total.set(key, (total.get(key) ?? 0) + inclusive.get(node.id)!);
    onStack.set(key, depth + 1);
    for (const child of node.children ?? []) walk(byId.get(child)!);
    onStack.set(key, depth);
  };
  for (const root of roots) walk(root);

  const allHits = result.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  return [...self.entries()]
    .map(([key, hits]) => {
      const [functionName, location] = key.split('\u0000') as [string, string];
      return { functionName, location, selfPercent: (100 * hits) / allHits, totalPercent: (100 * (total.get(key) ?? 0)) / allHits };
    })
    .sort((a, b) => b.selfPercent - a.selfPercent);
}
