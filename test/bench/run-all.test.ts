// `npm run bench`'s table, JSON and comparison (bench/lib/bench-table.ts, bench/lib/bench-rows.ts) on fixed
// figures: no benchmark runs here and nothing is timed. These keep the runner from rotting silently when a
// benchmark's JSON report changes shape, or the results file its readers compare against does.
import { describe, expect, it } from 'vitest';
import { BENCH_NAMES, ROWS_OF } from '../../bench/lib/bench-rows.ts';
import { compareResults, formatRatio, formatRows, formatValue, loadWarning, parseResults, row, RESULTS_SCHEMA_VERSION, type Results } from '../../bench/lib/bench-table.ts';
import { judgeRatio } from '../../bench/lib/socketio-report.ts';

/** CPU and event-loop use of a window; `generator` at 1 marks the load generator saturated. */
function measured(generator: number, serverCpuSeconds: number) {
  return { seconds: 2, client: { cores: generator, eventLoop: generator }, server: { cores: 0.5, eventLoop: 0.6 }, serverCpuSeconds };
}
const fanoutWindow = (perSecond: number, generator: number, serverCpuSeconds: number) => ({ ...measured(generator, serverCpuSeconds), perSecond, delivered: perSecond * 2 });
const pipeline = (perSecond: number, generator = 0.5) => ({ ...measured(generator, 1), perSecond, replies: perSecond * 2, errors: 0 });

/** One report per benchmark, shaped like each one's `--json` output (only the fields the table reads, plus noise). */
const REPORTS = {
  engine: { seed: 1, throughput: { engine: { perSecond: 1_500_000, perCpuSecond: 1_600_000 }, baseline: { perSecond: 6_000_000, perCpuSecond: 6_100_000 }, replayMatchesReference: true } },
  pricing: {
    machine: 'x',
    results: [
      { name: 'baseline: groupUnitPrice (tiers + leader)', cpuPerSecond: 100_000_000 },
      { name: 'evaluatePrice (6 rules, no explanation)', cpuPerSecond: 2_500_000 },
      { name: 'evaluate (+ explanation with text)', cpuPerSecond: 500_000 },
    ],
  },
  journal: {
    entries: 30_000,
    redis: { rawPerS: 100_000, groupCommitPerS: 120_000, groupCommitAckP99Us: 95_000, sequencerPerS: 20_000, redisBenchmarkPerS: null },
    file: { rawPerS: 400_000, groupCommitPerS: 200_000, groupCommitAckP99Us: 50_000, sequencerPerS: 50_000 },
  },
  http: {
    raw: { ...measured(0.95, 1), perSecond: 20_000, requests: 60_000, non2xx: 0, errors: 0, timeouts: 0 },
    gateway: { ...measured(0.5, 2), perSecond: 12_000, requests: 36_000, non2xx: 3, errors: 0, timeouts: 0 },
  },
  ws: {
    throughput: { echo: pipeline(200_000, 0.95), gateway: { quote: pipeline(50_000), join: pipeline(40_000) } },
    fanout: [{ subscribers: 1_000, gateway: { windowed: fanoutWindow(150_000, 0.5, 0.5) }, raw: { windowed: fanoutWindow(160_000, 0.5, 0.4) } }],
  },
  socketio: {
    subscribers: 1_000,
    messageBytes: [228, 203],
    gateway: { windowed: fanoutWindow(180_000, 1, 0.8) },
    socketio: [{ engine: 'ws', windowed: fanoutWindow(18_000, 1, 0.9) }],
    comparisons: [{ engine: 'ws', ratio: 10, cpuRatio: 11.25, basis: 'cpu', judged: 11.25, goal: 10, met: true }],
  },
  effects: { best: { raw: { endToEndPerSecond: 4_000, enqueuePerSecond: 9_000 }, outbox: { endToEndPerSecond: 3_000, enqueuePerSecond: 7_000 } } },
};

function results(rows: Results['rows'], overrides: Partial<Results> = {}): Results {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:03:00.000Z',
    machine: { cpus: 2, cpuModel: 'test cpu', platform: 'linux', arch: 'x64', node: 'v20.0.0', totalMemoryBytes: 2 ** 33, loadBefore: [0.5, 0.4, 0.3], loadAfter: [1.2, 0.6, 0.4], gitCommit: 'abcdef1234567890', gitDirty: false },
    options: { scale: 1 },
    rows,
    benchmarks: [{ name: 'engine', status: 'ok', seconds: 12.5, loadAtStart: 0.5 }],
    reports: {},
    ...overrides,
  };
}

describe('rows from the benchmarks\' reports', () => {
  it('reads every benchmark\'s figures next to its baseline, with tuan / baseline as the ratio', () => {
    const rows = BENCH_NAMES.flatMap((name) => ROWS_OF[name](REPORTS[name]));
    const find = (benchmark: string, figure: string) => rows.find((r) => r.benchmark === benchmark && r.figure === figure);
    expect(find('engine', 'Engine.apply, group-buy command mix')).toMatchObject({ unit: 'commands/s', value: 1_500_000, baselineValue: 6_000_000, ratio: 0.25 });
    expect(find('pricing', '6-rule set, evaluatePrice')).toMatchObject({ value: 2_500_000, baselineValue: 100_000_000, ratio: 0.025 });
    expect(find('journal', 'Redis group commit, saturated')).toMatchObject({ value: 120_000, baselineValue: 100_000, ratio: 1.2 });
    expect(find('journal', 'file group commit, saturated')).toMatchObject({ value: 200_000, ratio: 0.5 });
    expect(find('http', 'GET quote, per server CPU-s')).toMatchObject({ value: 18_000, baselineValue: 60_000 });
    expect(find('ws', 'command → ack: join_group/leave_group')).toMatchObject({ value: 40_000, baselineValue: 200_000, ratio: 0.2 });
    expect(find('ws', 'fan-out to 1,000 subscribers')).toMatchObject({ unit: 'delivered msgs/s', value: 150_000, baselineName: 'raw uWS publish', baselineValue: 160_000 });
    expect(find('ws', 'fan-out to 1,000, per server CPU-s')).toMatchObject({ value: 600_000, baselineValue: 800_000, ratio: 0.75 });
    expect(find('socketio', 'fan-out to 1,000 subscribers')).toMatchObject({ value: 180_000, baselineValue: 18_000, ratio: 10 });
    expect(find('socketio', 'fan-out to 1,000, per server CPU-s')?.ratio).toBeCloseTo(11.25, 10);
    expect(find('effects', 'outbox → BullMQ → provider, end to end')).toMatchObject({ value: 3_000, baselineValue: 4_000, ratio: 0.75 });
  });

  it('says when the load generator capped a figure, when requests failed, and whether the Socket.IO goal was met', () => {
    const http = ROWS_OF.http(REPORTS.http)[0]!;
    expect(http.notes.join('\n')).toMatch(/autocannon saturated in the baseline run/);
    expect(http.notes.join('\n')).toMatch(/3 gateway requests failed/);
    const socketio = ROWS_OF.socketio(REPORTS.socketio)[0]!;
    expect(socketio.notes[0]).toMatch(/goal tuan ≥ 10× Socket.IO: met \(11\.25× by server CPU/);
    expect(ROWS_OF.engine(REPORTS.engine)[0]!.notes).toEqual([]);
  });

  it('names the missing field when a report changed shape', () => {
    expect(() => ROWS_OF.ws({ throughput: null, fanout: [{ subscribers: 1_000, gateway: {} }] })).toThrow(/ws: .* at fanout\.0\.gateway\.windowed/);
    expect(() => ROWS_OF.engine({ throughput: { engine: { perSecond: 'fast' } } })).toThrow(/engine: .* at throughput\.engine\.perSecond/);
  });
});

describe('the Socket.IO ratio', () => {
  it('trusts the wall-clock ratio only when the generator capped neither run', () => {
    expect(judgeRatio(fanoutWindow(100_000, 0.5, 0.5), fanoutWindow(10_000, 0.5, 0.25))).toMatchObject({ ratio: 10, cpuRatio: 5, basis: 'wall', judged: 10 });
    expect(judgeRatio(fanoutWindow(100_000, 0.5, 0.5), fanoutWindow(10_000, 0.95, 0.25))).toMatchObject({ basis: 'lower', judged: 5 });
    expect(judgeRatio(fanoutWindow(100_000, 0.95, 0.5), fanoutWindow(10_000, 0.5, 1))).toMatchObject({ ratio: 10, cpuRatio: 20, basis: 'cpu', judged: 20 });
  });
});

describe('the table', () => {
  it('prints one line per row with the values, the baseline and the ratio, then the notes', () => {
    const lines = formatRows([row('engine', 'apply', 'commands/s', 1_234_567, 'Map', 4_938_268), row('pricing', 'evaluate', 'evaluations/CPU-s', 2.5, 'bare', null, ['a note'])]);
    expect(lines[0]).toMatch(/^benchmark\s+figure\s+unit\s+tuan\s+baseline\s+baseline value\s+tuan\/baseline$/);
    expect(lines[2]).toMatch(/^engine\s+apply\s+commands\/s\s+1,234,567\s+Map\s+4,938,268\s+0\.25×$/);
    expect(lines[3]).toMatch(/^pricing\s+evaluate\s+evaluations\/CPU-s\s+2\.50\s+bare\s+-\s+-$/);
    expect(lines.slice(4)).toEqual(['', 'Notes:', '  pricing · evaluate vs bare: a note']);
  });

  it('formats values and ratios at a readable precision', () => {
    expect([formatValue(123_456.7), formatValue(42.26), formatValue(0.1234), formatValue(null)]).toEqual(['123,457', '42.3', '0.12', '-']);
    expect([formatRatio(12.345), formatRatio(0.5), formatRatio(0.03071), formatRatio(null), formatRatio(Number.POSITIVE_INFINITY)]).toEqual(['12.3×', '0.50×', '0.031×', '-', '-']);
  });

  it('warns when the load average says other processes competed for the CPUs', () => {
    expect(loadWarning(results([]).machine)).toBeNull();
    expect(loadWarning({ ...results([]).machine, loadAfter: [3.4, 1, 1] })).toMatch(/reached 3\.4 on 2 CPUs/);
  });
});

describe('the results file', () => {
  it('round-trips through JSON and refuses a file that is not one, naming the field', () => {
    const written = results([row('engine', 'apply', 'commands/s', 1, 'Map', 2)]);
    expect(parseResults(JSON.stringify(written), 'run.json')).toEqual(written);
    expect(() => parseResults('{"schemaVersion":1,"rows":[]}', 'old.json')).toThrow(/old\.json: not a bench results file: startedAt/);
    expect(() => parseResults('not json', 'bad.json')).toThrow(/bad\.json: not JSON/);
  });

  it('compares with an earlier run row by row: values, ratios, new and gone rows', () => {
    const before = results([row('engine', 'apply', 'commands/s', 1_000_000, 'Map', 4_000_000), row('http', 'quote', 'requests/s', 10_000, 'uWS', 20_000)]);
    const after = results([row('engine', 'apply', 'commands/s', 1_100_000, 'Map', 4_000_000), row('ws', 'fan-out', 'msgs/s', 5, 'raw', 10)], { machine: { ...before.machine, cpus: 4 } });
    const lines = compareResults(before, after);
    expect(lines[0]).toMatch(/^Compared with the run of 2026-01-01T00:00:00\.000Z \(abcdef123456, load 0\.50 at start\):$/);
    expect(lines[1]).toMatch(/different machine or Node/);
    const line = (benchmark: string) => lines.find((l) => l.startsWith(benchmark))!.split(/\s{2,}/);
    expect(line('engine')).toEqual(['engine', 'apply', 'Map', '1,000,000', '1,100,000', '+10.0 %', '0.25×', '0.28×', '+10.0 %']);
    expect(line('ws')).toEqual(['ws', 'fan-out', 'raw', '-', '5.00', 'new', '-', '0.50×', 'new']);
    expect(line('http')).toEqual(['http', 'quote', 'uWS', '10,000', '-', 'gone', '0.50×', '-', 'gone']);
  });
});
