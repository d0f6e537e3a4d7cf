// A scenario that cannot run says exactly which field is wrong and why, as the file (or --set) wrote it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioFile, ScenarioError } from '../../simulations/index.ts';
import { smallScenario } from './fixtures.ts';

function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

const withBehaviour = (behaviour: Record<string, unknown>) => smallScenario({ behaviour: { mechanism: 'group', ...behaviour } });

function auctionScenario(behaviour: Record<string, unknown>): Record<string, unknown> {
  return smallScenario({
    offers: [{ id: 'lot', inventory: 1, basePriceMinor: 1_000, endAfter: '1h', mechanism: { type: 'auction', kind: 'english' } }],
    behaviour: { mechanism: 'auction', valueMinor: { type: 'uniform', min: 500, max: 3_000 }, ...behaviour },
  });
}

function rentalScenario(behaviour: Record<string, unknown>, mode: 'queue' | 'slots' = 'queue'): Record<string, unknown> {
  return smallScenario({
    offers: [{ id: 'bike', inventory: 3, basePriceMinor: 500, mechanism: { type: 'reservation', mode, holdMs: 60_000 } }],
    behaviour: { mechanism: 'reservation', rentalDuration: '20m', ...behaviour },
  });
}

describe('scenario validation', () => {
  it('accepts the small scenario and fills in defaults', () => {
    const loaded = loadScenario(smallScenario());
    expect(loaded.variants.map((v) => v.name)).toEqual(['baseline']);
    expect(loaded.base.duration).toBe(7_200_000);
    expect(loaded.base.live.timeScale).toBe(60);
    expect(loaded.base.end.policy).toBe('settle');
  });

  it.each([
    ['a rate that is not positive', smallScenario({ shoppers: { arrival: { type: 'poisson', rate: 0 } } }), 'shoppers.arrival.rate: must be > 0'],
    ['an unknown arrival type', smallScenario({ shoppers: { arrival: { type: 'poison', rate: 1 } } }), "shoppers.arrival.type: Invalid discriminator value. Expected 'poisson' | 'burst' | 'trace'"],
    ['a bad process in a list', smallScenario({ shoppers: { arrival: [{ type: 'poisson', rate: 1 }, { type: 'burst', at: 0, count: 0 }] } }), 'shoppers.arrival.1.count: must be ≥ 1'],
    ['an unknown field', withBehaviour({ colour: 'red' }), 'behaviour.colour: is not a field of this object'],
    ['a negative sd', withBehaviour({ valueMinor: { type: 'normal', mean: 5, sd: -1 } }), 'behaviour.valueMinor.sd: must be ≥ 0'],
    ['a distribution that is neither', withBehaviour({ qty: 'lots' }), 'behaviour.qty: must be a number or a distribution: {type: fixed | uniform | exponential | normal | log_normal, …}'],
    ['a bad duration', withBehaviour({ patience: { type: 'exponential', mean: '5 weeks' } }), 'behaviour.patience.mean: "5 weeks" is not a duration: use milliseconds or e.g. "90s", "15m", "2h", "1d"'],
    ['a probability above 1', withBehaviour({ invites: { count: 1, acceptProbability: 2 } }), 'behaviour.invites.acceptProbability: must be ≤ 1'],
    ['an unknown mechanism', smallScenario({ behaviour: { mechanism: 'lottery' } }), "behaviour.mechanism: Invalid discriminator value. Expected 'group' | 'auction' | 'reservation'"],
    ['a behaviour of another mechanism than the offers', smallScenario({ behaviour: { mechanism: 'auction', valueMinor: 100 } }), 'offers.0.mechanism.type: must be "auction", the mechanism of behaviour.mechanism'],
    ['bidders without values', auctionScenario({ valueMinor: undefined }), 'behaviour.valueMinor: must be a number or a distribution: {type: fixed | uniform | exponential | normal | log_normal, …}'],
    ['no bidding strategy', auctionScenario({ strategy: { proxy: 0 } }), 'behaviour.strategy: at least one strategy must have a weight above 0'],
    ['a margin above 1', auctionScenario({ dutchMarginRatio: 1.5 }), 'behaviour.dutchMarginRatio: must be ≤ 1'],
    ['renters without rental times', rentalScenario({ rentalDuration: undefined }), 'behaviour.rentalDuration: must be a number or a distribution: {type: fixed | uniform | exponential | normal | log_normal, …}'],
    ['more than 8 priority classes', rentalScenario({ priorityClass: [1, 1, 1, 1, 1, 1, 1, 1, 1] }), 'behaviour.priorityClass: Too big: expected array to have <=8 items'],
    ['renters who answer no hold', rentalScenario({ holdResponse: { confirm: 0 } }), 'behaviour.holdResponse: at least one response must have a weight above 0'],
    ['a slots offer for renters', rentalScenario({}, 'slots'), 'offers.0.mechanism.mode: the reservation behaviour simulates queues (mode: queue); slot bookings are not simulated'],
    ['an engine setting out of range', smallScenario({ offers: [{ id: 'tea', inventory: 1, basePriceMinor: 1, mechanism: { type: 'group', minSize: 1, windowMs: 1 } }] }), 'offers.0.mechanism.minSize: Too small: expected number to be >=2'],
    ['an offer weight for no offer', withBehaviour({ offerWeights: { coffee: 1 } }), 'behaviour.offerWeights.coffee: is not the id of an offer'],
    ['a zero duration', smallScenario({ duration: 0 }), 'duration: must be > 0'],
  ])('points at the field for %s', (_name, scenario, problem) => {
    expect(problemsOf(() => loadScenario(scenario))).toContain(problem);
  });

  it('accepts the auction and reservation behaviours and fills in their defaults', () => {
    const auction = loadScenario(auctionScenario({})).base.behaviour;
    expect(auction).toMatchObject({ mechanism: 'auction', strategy: { proxy: 1, incremental: 0, sniper: 0 }, maxBids: 50, buyNowProbability: 0 });
    const rental = loadScenario(rentalScenario({})).base.behaviour;
    expect(rental).toMatchObject({ mechanism: 'reservation', priorityClass: [1], holdResponse: { confirm: 1, decline: 0, ignore: 0 }, rentalDuration: { type: 'fixed', value: 1_200_000 } });
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() => loadScenario(smallScenario({ seed: -1, duration: 'soon', shoppers: { arrival: { type: 'poisson', rate: -2 } } })));
    expect(problems).toHaveLength(3);
    expect(problems.some((p) => p.startsWith('seed: '))).toBe(true);
  });

  it('checks a rule set with the pricing rules, at its path in the offer', () => {
    const ruleSet = { schemaVersion: 1, currency: 'CNY', version: 1, rules: [{ kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 800 }, { minSize: 2, priceMinor: 700 }] }], guardrails: {} };
    const problems = problemsOf(() => loadScenario(smallScenario(), { set: [`offers.0.ruleSet=${JSON.stringify(ruleSet)}`] }));
    expect(problems.some((p) => p.startsWith('offers.0.ruleSet.rules.0.tiers.1.minSize: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('offers.0.ruleSet.guardrails.floorMinor: '))).toBe(true);
  });

  it('applies --set overrides before validation and names a bad one', () => {
    const loaded = loadScenario(smallScenario(), { set: ['shoppers.arrival.rate=30', 'offers.0.inventory=9', 'behaviour.qty={type: uniform, min: 1, max: 3}'], seed: 99 });
    expect(loaded.base.seed).toBe(99);
    expect(loaded.base.offers[0]!.inventory).toBe(9);
    expect(loaded.overrides).toEqual(['shoppers.arrival.rate=30', 'offers.0.inventory=9', 'behaviour.qty={type: uniform, min: 1, max: 3}']);
    expect(problemsOf(() => loadScenario(smallScenario(), { set: ['shoppers.arrival.rate=-1'] }))).toEqual(['shoppers.arrival.rate: must be > 0']);
    expect(problemsOf(() => loadScenario(smallScenario(), { set: ['no-equals-sign'] }))[0]).toMatch(/^--set no-equals-sign: write it as path/);
    expect(problemsOf(() => loadScenario(smallScenario(), { set: ['offers.7.inventory=1'] }))[0]).toMatch(/offers is a list: "7" must be an index from 0 to 1/);
    expect(problemsOf(() => loadScenario(smallScenario(), { set: ['__proto__.x=1'] }))[0]).toMatch(/the path is dotted/);
  });

  it('validates each variant after its own overrides, naming the variant', () => {
    const variants = [
      { name: 'cheap', set: { 'offers.0.basePriceMinor': 900 } },
      { name: 'broken', set: { 'offers.0.inventory': -5 } },
    ];
    expect(problemsOf(() => loadScenario(smallScenario({ variants })))).toEqual(['variant "broken": offers.0.inventory: Too small: expected number to be >=0']);
    const loaded = loadScenario(smallScenario({ variants: [variants[0], { name: 'dear', set: { 'offers.0.basePriceMinor': 1_100 } }] }));
    expect(loaded.variants.map((v) => [v.name, v.scenario.offers[0]!.basePriceMinor])).toEqual([['cheap', 900], ['dear', 1_100]]);
  });

  it('reads YAML and JSON files, reads trace files beside them, and names file problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuan-sim-'));
    writeFileSync(join(dir, 'trace.txt'), 'offsetMs\n# the doors open\n0\n1500\n2s\n');
    writeFileSync(join(dir, 'ok.yaml'), `name: traced\nduration: 1h\noffers: [{id: tea, inventory: 5, basePriceMinor: 100, mechanism: {type: group, minSize: 2, windowMs: 60000}}]\nshoppers: {arrival: {type: trace, file: trace.txt}}\nbehaviour: {mechanism: group}\n`);
    const loaded = loadScenarioFile(join(dir, 'ok.yaml'));
    expect(loaded.source).toBe('ok.yaml');
    expect(loaded.base.shoppers.arrival).toMatchObject({ type: 'trace', file: 'trace.txt', offsets: [0, 1_500, 2_000] });

    writeFileSync(join(dir, 'bad.yaml'), 'name: [unclosed\n');
    expect(problemsOf(() => loadScenarioFile(join(dir, 'bad.yaml')))[0]).toMatch(/^cannot be read: /);
    writeFileSync(join(dir, 'bad.json'), '{"name": "x",}');
    expect(problemsOf(() => loadScenarioFile(join(dir, 'bad.json')))[0]).toMatch(/^cannot be read: /);
    writeFileSync(join(dir, 'missing-trace.yaml'), `name: traced\nduration: 1h\noffers: [{id: tea, inventory: 5, basePriceMinor: 100, mechanism: {type: group, minSize: 2, windowMs: 60000}}]\nshoppers: {arrival: {type: trace, file: nowhere.txt}}\nbehaviour: {mechanism: group}\n`);
    expect(problemsOf(() => loadScenarioFile(join(dir, 'missing-trace.yaml')))).toEqual(['shoppers.arrival.file: cannot read "nowhere.txt" (ENOENT)']);
    expect(problemsOf(() => loadScenarioFile(join(dir, 'absent.yaml')))).toEqual(['cannot be read: ENOENT']);
  });
});
