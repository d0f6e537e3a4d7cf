// Prometheus metrics, rendered as text for GET /metrics. Counters are plain numbers bumped on the hot path;
// every label value comes from a closed set (command types, error codes, route names), never from client input,
// so the number of series is bounded.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

type Labels = Record<string, string>;

/**
 * Rendered label sets cached per counter. The label values come from closed sets, so this stays small; the bound
 * only guards against a future caller passing something open-ended, and past it the text is rendered each time.
 */
const LABEL_CACHE_MAX = 512;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  /** Label names and values (joined with separators no label contains) → rendered `{k="v"}` text. */
  private readonly labelCache = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels?: Labels, by = 1): void {
    const key = labels === undefined ? '' : this.cachedLabelText(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: labels ?? {}, value: by });
  }

  // Called on every command: concatenating a few short strings is much cheaper than rendering (entries, map,
  // regex, join), which now happens once per label set.
  private cachedLabelText(labels: Labels): string {
    let cacheKey = '';
    for (const name in labels) cacheKey += `${name}\u0001${labels[name]}\u0002`;
    let text = this.labelCache.get(cacheKey);
    if (text === undefined) {
      text = labelText(labels);
      if (this.labelCache.size < LABEL_CACHE_MAX) this.labelCache.set(cacheKey, text);
    }
    return text;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, { value }] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      lines.push(`${this.name}_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

/** Read at render time: the current value of something the gateway holds (connections, queue depth). */
export interface Gauge {
  name: string;
  help: string;
  read: () => number;
}

export class GatewayMetrics {
  readonly connectionsOpened = new Counter('tuan_ws_connections_opened_total', 'WebSocket connections accepted.');
  readonly connectionsRefused = new Counter('tuan_ws_connections_refused_total', 'WebSocket upgrades refused, by reason.');
  readonly connectionsClosed = new Counter('tuan_ws_connections_closed_total', 'WebSocket connections the server closed, by reason.');
  readonly messagesReceived = new Counter('tuan_ws_messages_received_total', 'WebSocket messages received.');
  readonly commands = new Counter('tuan_commands_total', 'Commands applied by the engine, by type.');
  readonly rejections = new Counter('tuan_rejections_total', 'Requests refused, by error code (engine and gateway).');
  readonly fanoutMessages = new Counter('tuan_fanout_messages_total', 'Deltas published to channels (each serialized once).');
  readonly slowConsumers = new Counter('tuan_slow_consumer_disconnects_total', 'Connections closed for falling too far behind.');
  readonly rateLimited = new Counter('tuan_rate_limited_total', 'Requests refused by a rate limit, by scope.');
  readonly httpRequests = new Counter('tuan_http_requests_total', 'HTTP requests, by route and status.');
  readonly applySeconds = new Histogram(
    'tuan_engine_apply_seconds',
    'Time spent in engine.apply per command.',
    [0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05],
  );
  private readonly gauges: Gauge[] = [];
  private readonly loopDelay: IntervalHistogram;

  constructor() {
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();
  }

  addGauge(gauge: Gauge): void {
    this.gauges.push(gauge);
  }

  stop(): void {
    this.loopDelay.disable();
  }

  render(): string {
    const parts = [
      this.connectionsOpened,
      this.connectionsRefused,
      this.connectionsClosed,
      this.messagesReceived,
      this.commands,
      this.rejections,
      this.fanoutMessages,
      this.slowConsumers,
      this.rateLimited,
      this.httpRequests,
      this.applySeconds,
    ].map((metric) => metric.render());
    for (const gauge of this.gauges) parts.push(`# HELP ${gauge.name} ${gauge.help}\n# TYPE ${gauge.name} gauge\n${gauge.name} ${gauge.read()}`);
    const lag = this.loopDelay;
    parts.push(
      [
        '# HELP tuan_event_loop_lag_seconds Event-loop delay since start, by quantile.',
        '# TYPE tuan_event_loop_lag_seconds gauge',
        `tuan_event_loop_lag_seconds{quantile="0.5"} ${nsToS(lag.percentile(50))}`,
        `tuan_event_loop_lag_seconds{quantile="0.99"} ${nsToS(lag.percentile(99))}`,
        `tuan_event_loop_lag_seconds{quantile="1"} ${nsToS(lag.max)}`,
      ].join('\n'),
    );
    return `${parts.join('\n')}\n`;
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}

function nsToS(ns: number): number {
  return Number.isFinite(ns) ? ns / 1e9 : 0;
}
