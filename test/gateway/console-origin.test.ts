// With an origin allowlist (`ORIGINS`), the web console's own page still works: a browser on the page the server
// serves sends the server's own address as `Origin`, which is allowed when that address is an IP address or
// localhost. Pages of other sites stay refused, including one whose domain name was pointed at this server (its
// `Origin` matches its `Host`, but names a domain). Real sockets and HTTP against a real gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originAllowed } from '../../gateway/http-kit.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { TestClient } from './helpers/ws-client.ts';

let h: Harness;
let own: string;

beforeAll(async () => {
  h = await startHarness({ origins: ['https://shop.example'] });
  own = new URL(h.server.httpUrl).origin;
});

afterAll(async () => {
  await h?.close();
});

describe('the console under an origin allowlist', () => {
  it("lets the server's own origin load the console, call the API and open a socket", async () => {
    expect(own).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = await h.http('GET', '/console/config.json', { headers: { origin: own } });
    expect(config.status).toBe(200);
    const offers = await h.http('GET', '/v1/offers', { key: h.merchants.a.key, headers: { origin: own } });
    expect(offers.status).toBe(200);
    const socket = await TestClient.connect(h.server.wsUrl, { origin: own });
    await socket.ok({ type: 'ping' });
    socket.terminate();
  });

  it('still refuses other origins, over HTTP and for sockets', async () => {
    const refused = await h.http('GET', '/v1/offers', { key: h.merchants.a.key, headers: { origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    await expect(TestClient.connect(h.server.wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    // Another port of this machine is another origin.
    const port = Number(new URL(own).port);
    await expect(TestClient.connect(h.server.wsUrl, { origin: `http://127.0.0.1:${port + 1}` })).rejects.toThrow(/403/);
  });

  it('allows its own origin only for IP addresses and localhost, never for a domain name pointed at it', () => {
    const list = ['https://shop.example'];
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', list)).toBe(true);
    expect(originAllowed('http://localhost:8080', 'localhost:8080', list)).toBe(true);
    expect(originAllowed('http://[::1]:8080', '[::1]:8080', list)).toBe(true);
    expect(originAllowed('https://10.0.0.5', '10.0.0.5', list)).toBe(true);
    expect(originAllowed('http://rebound.example:8080', 'rebound.example:8080', list)).toBe(false);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8080', list)).toBe(false);
    expect(originAllowed('https://shop.example', '127.0.0.1:8080', list)).toBe(true);
    // No allowlist, or no Origin (not a browser): not checked.
    expect(originAllowed('https://evil.example', '127.0.0.1:8080', [])).toBe(true);
    expect(originAllowed('', 'rebound.example', list)).toBe(true);
  });
});
