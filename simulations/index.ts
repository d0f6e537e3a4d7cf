// Public surface of simulations/: load a scenario, run it in-process (deterministic, simulated clock) or live
// (real WebSocket clients against a server), and write its JSON and HTML report.
export { runScenario, writeReport, type RunOptions } from './run.ts';
export { loadScenario, loadScenarioFile, parseScenarioText, ScenarioError, type LoadedScenario, type LoadOptions, type RunnableVariant } from './scenario-load.ts';
export { Scenario, type ScenarioInput, SCENARIO_LIMITS, DEFAULT_START_MS } from './scenario-schema.ts';
export { runInProcess, type InProcessOptions, type VariantRun, type EngineSummary, type Timeline } from './in-process/driver.ts';
export { runLive, type LiveRunOptions, type LiveTargetOptions } from './live/driver.ts';
export { renderHtml } from './report/html.ts';
export { reportJson, REPORT_FORMAT, type SimulationReport, type VariantReport, type LatencyMetrics, type LiveFacts, type ComparisonRow } from './report/report.ts';
export type { RunMetrics, CoreMetrics } from './metrics/collector.ts';
export type { GroupMetrics } from './metrics/group-metrics.ts';
export type { AuctionMetrics, AuctionOfferMetrics, AuctionWinnerFacts } from './metrics/auction-metrics.ts';
export type { QueueMetrics, QueueOfferMetrics } from './metrics/queue-metrics.ts';
export type { Observation } from './observations.ts';
export { sample, sampleInt, theoreticalMean, type Distribution } from './distributions.ts';
export { arrivalStream, type ArrivalProcess } from './arrivals.ts';
export { streamFor, deriveSeed } from './random.ts';
