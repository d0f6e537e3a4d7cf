// The pieces under the sockets, in-process: channel history and resume, token buckets, configuration.
import { describe, expect, it } from 'vitest';
import { ChannelRegistry } from '../../gateway/channels.ts';
import { ConfigError, loadConfigFromEnv } from '../../gateway/index.ts';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import { KeyedRateLimiter } from '../../gateway/rate-limiter.ts';

function registry(historyPerChannel: number, channelsMax = 100, watched = new Set<string>()) {
  const published: [string, string][] = [];
  const channels = new ChannelRegistry({
    historyPerChannel,
    channelsMax,
    publish: (topic, message) => published.push([topic, message]),
    subscribers: (topic) => (watched.has(topic) ? 1 : 0),
    bootId: 'boot',
  });
  return { channels, published };
}

describe('channel history', () => {
  it('numbers deltas from 1 and records nothing for channels nobody opened', () => {
    const { channels, published } = registry(4);
    channels.publish('offer:a', '{"type":"x"}');
    expect(published).toEqual([]);
    const channel = channels.open('offer:a');
    channels.publish('offer:a', '{"type":"x"}');
    channels.publish('offer:a', '{"type":"y"}');
    expect(published.map(([, m]) => JSON.parse(m).offset)).toEqual([1, 2]);
    expect(channel.offset).toBe(2);
  });

  it('replays exactly the missing range while the ring covers it, and says so when it does not', () => {
    const { channels } = registry(4);
    const channel = channels.open('group:g');
    for (let i = 1; i <= 10; i++) channels.publish('group:g', `{"n":${i}}`);
    const replay = channels.resumeFrom(channel, channel.epoch, 6);
    expect(replay.recovered && replay.missed.map((m) => JSON.parse(m).offset)).toEqual([7, 8, 9, 10]);
    expect(channels.resumeFrom(channel, channel.epoch, 10)).toEqual({ recovered: true, missed: [] });
    expect(channels.resumeFrom(channel, channel.epoch, 5)).toEqual({ recovered: false, reason: 'history_exhausted' });
    expect(channels.resumeFrom(channel, channel.epoch, 11)).toEqual({ recovered: false, reason: 'offset_ahead' });
    expect(channels.resumeFrom(channel, 'other', 9)).toEqual({ recovered: false, reason: 'epoch_changed' });
  });

  it('forgets the least recently used unwatched channel past the bound, with a new epoch when it returns', () => {
    const watched = new Set(['offer:a']);
    const { channels } = registry(4, 2, watched);
    const a = channels.open('offer:a');
    const b = channels.open('offer:b');
    channels.open('offer:c');
    expect(channels.size).toBe(2);
    expect(channels.get('offer:a')).toBe(a);
    expect(channels.get('offer:b')).toBeUndefined();
    expect(channels.open('offer:b').epoch).not.toBe(b.epoch);
  });
});

describe('keyed rate limiter', () => {
  it('refills with time and stays within its key bound', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ ratePerS: 2, burst: 2 }, 3, () => now);
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([true, true, false]);
    now += 500;
    expect([limiter.take('k'), limiter.take('k')]).toEqual([true, false]);
    for (const key of ['a', 'b', 'c', 'd']) limiter.take(key);
    expect(limiter.size).toBe(3);
  });

  it('forgets the least recently used key, counting repeated takes of one key as use', () => {
    const limiter = new KeyedRateLimiter({ ratePerS: 1, burst: 1 }, 2, () => 0);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('a');
    limiter.take('c'); // forgets b, not a
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });

  it('answers yes without bookkeeping when the limit cannot be reached', () => {
    const limiter = new KeyedRateLimiter({ ratePerS: 1e9, burst: 1e9 }, 3, () => 0);
    for (let i = 0; i < 10; i++) expect(limiter.take(`k${i}`)).toBe(true);
    expect(limiter.size).toBe(0);
  });
});

describe('metrics', () => {
  it('renders one series per label set, however often each is counted', () => {
    const metrics = new GatewayMetrics();
    metrics.rejections.inc({ code: 'sold_out' });
    metrics.rejections.inc({ code: 'sold_out' });
    metrics.rejections.inc({ code: 'bad"code' });
    metrics.httpRequests.inc({ route: 'quote', status: '200' }, 3);
    metrics.messagesReceived.inc();
    metrics.messagesReceived.inc();
    const text = metrics.render();
    metrics.stop();
    expect(text).toContain('tuan_rejections_total{code="sold_out"} 2\n');
    expect(text).toContain('tuan_rejections_total{code="bad_code"} 1\n');
    expect(text).toContain('tuan_http_requests_total{route="quote",status="200"} 3\n');
    expect(text).toContain('tuan_ws_messages_received_total 2\n');
  });
});

describe('configuration from the environment', () => {
  const secret = () => 'r'.repeat(64);

  it('applies defaults and reads rates as RATE/BURST', () => {
    const config = loadConfigFromEnv({ PORT: '9000', RATE_SHOPPER: '5/20', ORIGINS: 'https://a.example, https://b.example' }, secret);
    expect(config).toMatchObject({ port: 9000, host: '127.0.0.1', shopperRate: { ratePerS: 5, burst: 20 }, devTokens: true });
    expect(config.origins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfigFromEnv({ PORT: 'eighty' }, secret)).toThrow(/PORT/);
    expect(() => loadConfigFromEnv({ RATE_CONNECTION: 'fast' }, secret)).toThrow(/RATE_CONNECTION/);
    expect(() => loadConfigFromEnv({ TOKEN_SECRET: 'short' }, secret)).toThrow(/TOKEN_SECRET/);
  });

  it('insists on a secret and no development tokens in production', () => {
    expect(() => loadConfigFromEnv({ NODE_ENV: 'production' }, secret)).toThrow(ConfigError);
    const production = loadConfigFromEnv({ NODE_ENV: 'production', TOKEN_SECRET: 's'.repeat(40) }, secret);
    expect(production.devTokens).toBe(false);
    expect(() => loadConfigFromEnv({ NODE_ENV: 'production', TOKEN_SECRET: 's'.repeat(40), DEV_TOKENS: 'on' }, secret)).toThrow(/DEV_TOKENS/);
  });
});
