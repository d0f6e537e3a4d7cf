// The console's icon: /favicon.ico is a real 16×16 ICO made in code, cached by browsers for a week.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('favicon', () => {
  it('serves a 16×16 32-bit ICO with cache headers', async () => {
    const response = await fetch(`${h.server.httpUrl}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    expect(response.headers.get('cache-control')).toBe('public, max-age=604800');
    const ico = Buffer.from(await response.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one image; its entry: 16×16, 32 bits, the image's size and offset.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect([ico.readUInt8(6), ico.readUInt8(7), ico.readUInt16LE(12)]).toEqual([16, 16, 32]);
    const imageBytes = ico.readUInt32LE(14);
    const offset = ico.readUInt32LE(18);
    expect(offset + imageBytes).toBe(ico.length);
    // The image: a BITMAPINFOHEADER (height doubled for the mask), the pixels, the AND mask.
    expect([ico.readUInt32LE(offset), ico.readInt32LE(offset + 4), ico.readInt32LE(offset + 8)]).toEqual([40, 16, 32]);
    expect(imageBytes).toBe(40 + 16 * 16 * 4 + 16 * 4);
    // Opaque red tile with white dots: both colours are present.
    const pixels = ico.subarray(offset + 40, offset + 40 + 1024);
    const colours = new Set<string>();
    for (let i = 0; i < pixels.length; i += 4) colours.add(pixels.subarray(i, i + 4).toString('hex'));
    expect(colours).toContain('3d26d7ff');
    expect(colours).toContain('ffffffff');
    // Answered the same every time, no longer the catch-all 404.
    expect((await fetch(`${h.server.httpUrl}/favicon.ico`)).status).toBe(200);
  });
});
