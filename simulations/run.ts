// The programmatic entry: load (if needed), run every variant in the chosen mode, and assemble the report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../engine/index.ts';
import { runInProcess } from './in-process/driver.ts';
import type { LiveTargetOptions } from './live/driver.ts';
import { renderHtml } from './report/html.ts';
import { buildReport, reportJson, type Mode, type SimulationReport, type VariantReport } from './report/report.ts';
import { loadScenario, type LoadedScenario, type LoadOptions } from './scenario-load.ts';

export interface RunOptions extends LoadOptions {
  mode?: Mode;
  /** Progress of the whole run (all variants), 0…1, with the variant running now. */
  onProgress?: (fraction: number, variant: string) => void;
  /** In-process only: every engine event of a variant, in order. */
  onEngineEvents?: (variant: string, events: readonly EngineEvent[]) => void;
  /** Live only: where and how to connect (default: a server started in this process on a free loopback port). */
  live?: LiveTargetOptions;
}

/**
 * Runs a scenario: `scenario` is what a scenario file parses to (it is validated here, with `options.set` and
 * `options.seed` applied first), or the result of `loadScenarioFile`.
 */
export async function runScenario(scenario: unknown, options: RunOptions = {}): Promise<SimulationReport> {
  const loaded = isLoaded(scenario) ? scenario : loadScenario(scenario, options);
  const mode = options.mode ?? 'in-process';
  const variants: VariantReport[] = [];
  const count = loaded.variants.length;
  for (const [i, variant] of loaded.variants.entries()) {
    const progress = (fraction: number) => options.onProgress?.((i + fraction) / count, variant.name);
    if (mode === 'in-process') {
      const run = runInProcess(variant.scenario, {
        onProgress: progress,
        ...(options.onEngineEvents ? { onEngineEvents: (events: readonly EngineEvent[]) => options.onEngineEvents!(variant.name, events) } : {}),
      });
      variants.push({ name: variant.name, description: variant.description, ...run, latency: null, live: null });
    } else {
      // Loaded on demand: in-process runs (and their start-up time) need none of the gateway.
      const { runLive } = await import('./live/driver.ts');
      const run = await runLive(variant.scenario, { ...options.live, onProgress: progress, variantTag: variant.name });
      variants.push({ name: variant.name, description: variant.description, ...run });
    }
  }
  return buildReport(loaded, mode, variants);
}

/** Writes `report.json` and `report.html` into `dir` (created if missing) and returns their paths. */
export function writeReport(report: SimulationReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  writeFileSync(json, reportJson(report));
  writeFileSync(html, renderHtml(report));
  return { json, html };
}

function isLoaded(value: unknown): value is LoadedScenario {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.variants) && typeof record.base === 'object' && Array.isArray(record.overrides) && typeof record.source === 'string';
}
