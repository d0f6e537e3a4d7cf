// A burst that outruns the slow-consumer sweep: a client that stops reading while the channel it watches gets far
// more than 4 × SLOW_CONSUMER_BYTES between two sweeps is still closed with the documented 4008 (checked when each
// delta is published), never dropped with 1006 by uWS's hard bound, and the close is counted.
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../gateway/index.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function metric(harness: Harness, series: string): number {
  const line = harness.server.metrics.render().split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('slow consumer under a burst', () => {
  it('closes a paused reader with 4008 before uWS’s hard bound, with the default bound and no sweep in time', async () => {
    // The default hard bound (4 × slowConsumerBytes); the sweep is a minute away, so only the check at send time acts.
    h = await startHarness({ slowConsumerBytes: 64 * 1024, slowConsumerCheckMs: 60_000 });
    expect(h.server.config.maxBackpressureBytes).toBe(4 * 64 * 1024);
    const offerId = await h.createOffer();
    const channel = `offer:${offerId}`;
    const slow = await h.connect();
    const fast = await h.connect();
    await slow.ok({ type: 'subscribe', channel });
    await fast.ok({ type: 'subscribe', channel });
    slow.socket.pause();

    // Bursts of 40 edits (each a ~1 KB delta, 40 KB a burst: below SLOW_CONSUMER_BYTES, so the reader that keeps
    // up never falls that far behind), until the paused reader is closed. Between bursts the test yields to I/O
    // once so the fast reader reads; no sweep runs (a minute away), so only the check at send time can act.
    let edits = 0;
    while (metric(h, 'tuan_slow_consumer_disconnects_total') === 0 && edits < 40_000) {
      const burst: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++, edits++) {
        burst.push(h.server.sequencer.submit({ type: 'edit_offer', merchantId: 'merchant-a', offerId, patch: { title: `${edits} ${'t'.repeat(800)}` } }));
      }
      await Promise.all(burst);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    console.log(`slow reader closed after ${edits} edits of ~1 KB (SLOW_CONSUMER_BYTES 64 KiB, hard bound 256 KiB)`);
    expect(metric(h, 'tuan_slow_consumer_disconnects_total')).toBe(1);
    slow.socket.resume();
    expect(await slow.closed(20_000)).toEqual({ code: CLOSE_CODES.slowConsumer, reason: 'slow_consumer' });
    // The reader that kept up got everything, in order.
    const deltas = await fast.waitForDeltas(channel, edits, 20_000);
    expect(deltas.map((d) => d.offset)).toEqual(Array.from({ length: edits }, (_, i) => i + 1));
    expect(fast.closedWith).toBeNull();
  });
});
