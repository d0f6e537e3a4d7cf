// Pricing benchmark: evaluations per second of a 6-rule set (size tiers, linear time decay, a daily window,
// scarcity, demand surge, leader discount — plus the guardrails every set carries), with and without the
// explanation, next to a baseline measured in the same process: today's `groupUnitPrice` (tiers + leader
// discount), the cheapest price the engine computes now.
//
//   npm run bench:pricing
//   npm run bench:pricing -- --evaluations 5000000 --rounds 7 --json
//
// What is measured: one thread calling the function on contexts built before timing (4 096 of them, cycled, so
// branches and caches see varied input). The variants run interleaved, round by round, and the median round is
// reported, so a noisy neighbour slows every variant alike instead of one. A checksum of the prices is printed so
// the work cannot be optimised away. Figures are printed; nothing fails on timing.
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  evaluate,
  evaluatePrice,
  evaluateWithState,
  groupUnitPrice,
  parseRuleSet,
  type GroupPricing,
  type PricingContext,
  type RuleSet,
} from '../pricing/index.ts';

const GOAL_WITHOUT_EXPLANATION = 2_000_000;
const HOUR = 3_600_000;
const CONTEXTS = 4_096;

const { values: args } = parseArgs({
  options: {
    evaluations: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const evaluationsPerRound = Number(args.evaluations);
const rounds = Number(args.rounds);

const legacyPricing: GroupPricing = { basePriceMinor: 9_900, tiers: [{ minSize: 3, priceMinor: 8_800 }, { minSize: 5, priceMinor: 7_900 }], leaderDiscountBps: 500 };

function sixRuleSet(): RuleSet {
  const parsed = parseRuleSet({
    schemaVersion: 1,
    currency: 'CNY',
    version: 1,
    rules: [
      { kind: 'size_tiers', tiers: legacyPricing.tiers },
      { kind: 'time_decay_linear', deadline: 'group', fromBeforeDeadlineMs: 12 * HOUR, untilBeforeDeadlineMs: HOUR, adjustmentBps: -1_500, stepMs: 5 * 60_000 },
      { kind: 'window', schedule: { type: 'daily', startMinute: 20 * 60, endMinute: 22 * 60 }, adjustment: { type: 'bps', bps: -1_000 } },
      { kind: 'scarcity', measure: 'units_left', thresholds: [{ atMostLeft: 50, adjustmentBps: 300 }, { atMostLeft: 10, adjustmentBps: 800 }] },
      { kind: 'demand_surge', signal: 'joins_per_hour', halfLifeMs: 600_000, levels: [{ atLeast: 60, adjustmentBps: 300 }, { atLeast: 200, adjustmentBps: 800 }], hysteresisBps: 2_000, minDwellMs: 300_000, maxStepBps: 300, stepIntervalMs: 300_000 },
      { kind: 'leader_discount', discountBps: legacyPricing.leaderDiscountBps },
    ],
    guardrails: { floorMinor: 1_000, ceilingMinor: 20_000, maxChange: { intervalMs: 900_000, maxRiseBps: 1_000, maxDropBps: 3_000 }, killSwitch: { engaged: false } },
  });
  if (!parsed.ok) throw new Error(`bench rule set is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.ruleSet;
}

/** Contexts as a live offer produces them: a stream whose surge and change-cap memory is carried along. */
function buildContexts(ruleSet: RuleSet): PricingContext[] {
  const start = 1_800_000_000_000;
  const contexts: PricingContext[] = [];
  let state: Pick<PricingContext, 'surge' | 'priceWindow'> = { surge: null, priceWindow: null };
  for (let i = 0; i < CONTEXTS; i++) {
    const nowMs = start + i * 7_919; // ~9 h in all: decay steps, the evening window and surge levels all occur
    const ctx: PricingContext = {
      basePriceMinor: legacyPricing.basePriceMinor,
      nowMs,
      utcOffsetMinutes: 480,
      groupSize: 1 + (i % 7),
      seatsMissing: Math.max(0, 3 - (i % 7)),
      groupDeadlineMs: start + 10 * HOUR,
      offerEndMs: null,
      inventoryLeft: 200 - Math.floor((i * 190) / CONTEXTS),
      inventoryTotal: 200,
      demand: { joinsSinceSurgeUpdate: (i * 13) % 4, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 },
      segment: { newcomer: i % 3 === 0, memberTier: null, isLeader: i % 5 === 0 },
      ...state,
    };
    contexts.push(ctx);
    state = evaluateWithState(ruleSet, ctx).nextState;
  }
  return contexts;
}

interface Variant {
  name: string;
  run: (ctx: PricingContext) => number;
}

interface Round {
  wallPerSecond: number;
  /** Per second of this process's CPU time: what one core does, even when other processes share the machine. */
  cpuPerSecond: number;
  checksum: number;
}

function timeRound(variant: Variant, contexts: PricingContext[], count: number): Round {
  let checksum = 0;
  const mask = CONTEXTS - 1;
  const cpuStart = process.cpuUsage();
  const startNs = process.hrtime.bigint();
  for (let i = 0; i < count; i++) checksum = (checksum + variant.run(contexts[i & mask]!)) | 0;
  const elapsedNs = Number(process.hrtime.bigint() - startNs);
  const cpu = process.cpuUsage(cpuStart);
  return { wallPerSecond: (count * 1e9) / elapsedNs, cpuPerSecond: (count * 1e6) / (cpu.user + cpu.system), checksum };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const ruleSet = sixRuleSet();
  const contexts = buildContexts(ruleSet);
  const variants: Variant[] = [
    { name: 'baseline: groupUnitPrice (tiers + leader)', run: (ctx) => groupUnitPrice(legacyPricing, ctx.groupSize, ctx.segment.isLeader) },
    { name: 'evaluatePrice (6 rules, no explanation)', run: (ctx) => evaluatePrice(ruleSet, ctx) },
    { name: 'evaluateWithState (+ next state)', run: (ctx) => evaluateWithState(ruleSet, ctx).priceMinor },
    { name: 'evaluate (+ explanation, no detail text)', run: (ctx) => evaluate(ruleSet, ctx, { details: false }).priceMinor },
    { name: 'evaluate (+ explanation with text)', run: (ctx) => evaluate(ruleSet, ctx).priceMinor },
  ];
  const warmup = Math.min(evaluationsPerRound, 300_000);
  for (const variant of variants) timeRound(variant, contexts, warmup);

  const samples = variants.map(() => [] as Round[]);
  for (let round = 0; round < rounds; round++) {
    variants.forEach((variant, index) => samples[index]!.push(timeRound(variant, contexts, evaluationsPerRound)));
  }
  const results = variants.map((variant, index) => {
    const runs = samples[index]!;
    return {
      name: variant.name,
      cpuPerSecond: Math.round(median(runs.map((r) => r.cpuPerSecond))),
      wallPerSecond: Math.round(median(runs.map((r) => r.wallPerSecond))),
      wallMinPerSecond: Math.round(Math.min(...runs.map((r) => r.wallPerSecond))),
      checksum: runs.at(-1)!.checksum,
    };
  });
  const baseline = results[0]!;
  const fast = results[1]!;
  const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}`;

  if (args.json) {
    console.log(JSON.stringify({ machine, evaluationsPerRound, rounds, contexts: CONTEXTS, results, goalWithoutExplanation: GOAL_WITHOUT_EXPLANATION }, null, 2));
    return;
  }
  const number = (n: number) => n.toLocaleString('en-US').padStart(12);
  console.log(`pricing bench — ${machine}`);
  console.log(`${rounds} rounds × ${evaluationsPerRound.toLocaleString('en-US')} evaluations per variant, interleaved, ${CONTEXTS} contexts cycled; medians`);
  console.log('(per CPU-second: what one core does even with neighbours on the machine; wall: as seen, with the slowest round)\n');
  console.log(`  ${'variant'.padEnd(44)} ${'per CPU-s'.padStart(12)} ${'wall /s'.padStart(12)} ${'slowest'.padStart(12)}   cost vs baseline`);
  for (const r of results) {
    const cost = r === baseline ? '' : `${(baseline.cpuPerSecond / r.cpuPerSecond).toFixed(1)}×`;
    console.log(`  ${r.name.padEnd(44)} ${number(r.cpuPerSecond)} ${number(r.wallPerSecond)} ${number(r.wallMinPerSecond)}   ${cost}`);
  }
  const verdict = fast.cpuPerSecond >= GOAL_WITHOUT_EXPLANATION ? 'meets' : 'misses';
  console.log(`\n  goal ≥ ${GOAL_WITHOUT_EXPLANATION.toLocaleString('en-US')}/s without explanation (per CPU-second): ${verdict} it (${(fast.cpuPerSecond / GOAL_WITHOUT_EXPLANATION).toFixed(2)}× the goal)`);
  console.log(`  checksums ${results.map((r) => r.checksum).join(' ')} (evaluate variants agree: ${new Set(results.slice(1).map((r) => r.checksum)).size === 1})`);
}

main();
