// Offers' time zones: merchants send an IANA name, the gateway resolves it to the UTC offsets in force (daylight
// saving time included) and the engine, which reads no calendar, takes those as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcOffsetAt } from '../../engine/index.ts';
import { WIRE_COMMANDS } from '../../gateway/protocol.ts';
import { resolveTimeZone, TIME_ZONE_HORIZON_MS } from '../../gateway/time-zones.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

const JAN_2027 = Date.UTC(2027, 0, 15);

describe('resolving a zone name', () => {
  it('gives one offset for a zone without daylight saving time', () => {
    expect(resolveTimeZone('Asia/Shanghai', JAN_2027)).toEqual({ name: 'Asia/Shanghai', offsets: [{ fromMs: JAN_2027, offsetMinutes: 480 }] });
  });

  it('finds each daylight saving change to the minute, over the horizon', () => {
    const zone = resolveTimeZone('Europe/Berlin', JAN_2027)!;
    // 2027: summer time from 28 March 01:00 UTC, winter time from 31 October 01:00 UTC.
    expect(zone.offsets.slice(0, 3)).toEqual([
      { fromMs: JAN_2027, offsetMinutes: 60 },
      { fromMs: Date.UTC(2027, 2, 28, 1), offsetMinutes: 120 },
      { fromMs: Date.UTC(2027, 9, 31, 1), offsetMinutes: 60 },
    ]);
    // Two changes a year, for the whole horizon.
    expect(zone.offsets.length).toBe(1 + 2 * Math.floor(TIME_ZONE_HORIZON_MS / (365 * 86_400_000)));
    expect(utcOffsetAt(zone, Date.UTC(2028, 6, 1))).toBe(120);
    expect(utcOffsetAt(zone, Date.UTC(2028, 11, 1))).toBe(60);
  });

  it('spells the name as the runtime does, and knows no made-up zone', () => {
    expect(resolveTimeZone('asia/shanghai', JAN_2027)?.name).toBe('Asia/Shanghai');
    expect(resolveTimeZone('Mars/Olympus_Mons', JAN_2027)).toBeNull();
    expect(resolveTimeZone('', JAN_2027)).toBeNull();
  });

  it('resolves names in WebSocket commands too: create_offer and an edit_offer patch', () => {
    const create = WIRE_COMMANDS.get('create_offer')!.schema.safeParse({
      type: 'create_offer', requestId: 'r1', offerId: 'o1', title: 't', currency: 'CNY', inventory: 1, basePriceMinor: 100,
      mechanism: { type: 'group', minSize: 2, windowMs: 60_000 }, timeZone: 'Asia/Tokyo',
    });
    expect(create.success && create.data.timeZone).toMatchObject({ name: 'Asia/Tokyo', offsets: [{ offsetMinutes: 540 }] });
    const edit = WIRE_COMMANDS.get('edit_offer')!.schema.safeParse({ type: 'edit_offer', requestId: 'r2', offerId: 'o1', patch: { timeZone: 'Nowhere/Land' } });
    expect(edit.success).toBe(false);
    expect(edit.error?.issues[0]?.message).toContain('is not an IANA time zone name');
  });
});

describe('over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const body = { offerId: 'tz1', title: 'Morning tea', currency: 'CNY', inventory: 10, basePriceMinor: 1_000, mechanism: { type: 'group', minSize: 2, windowMs: 3_600_000 } };

  it('creates an offer in a named zone, shows the name back, and goes back to UTC on null', async () => {
    const { key } = h.merchants.a;
    const created = await h.http('POST', '/v1/offers', { key, body: { ...body, timeZone: 'Asia/Shanghai' } });
    expect(created.status).toBe(201);
    expect(created.body.offer.timeZone).toBe('Asia/Shanghai');
    const path = `/v1/offers/${created.body.offerId}`;
    const moved = await h.http('PATCH', path, { key, body: { timeZone: 'America/New_York' } });
    expect(moved.status).toBe(200);
    expect(moved.body.offer.timeZone).toBe('America/New_York');
    const cleared = await h.http('PATCH', path, { key, body: { timeZone: null } });
    expect(cleared.body.offer.timeZone).toBeNull();
  });

  it('refuses an unknown zone with bad_request naming the field, and lists nothing', async () => {
    const { key } = h.merchants.a;
    const refused = await h.http('POST', '/v1/offers', { key, body: { ...body, offerId: 'tz2', timeZone: 'Mars/Olympus_Mons' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('bad_request');
    expect(refused.body.error.message).toContain('timeZone');
    expect((await h.http('GET', '/v1/offers', { key })).body.offers.map((offer: { offerId: string }) => offer.offerId)).not.toContain('tz2');
  });
});
