// Malformed HTTP over raw sockets. uWS (v20.30) parses HTTP itself, before any route runs: the gateway never sees
// these requests, so what happens to them is uWS's behaviour, pinned here so an upgrade that changes it shows up.
// Measured with this test: a request uWS rejects while parsing framing (bad Content-Length, Transfer-Encoding with
// Content-Length, bad chunks) is closed at once without an answer; a request whose request line or headers are
// malformed gets no answer and holds its socket until uWS's own HTTP timeout (10 s counted in 4 s ticks: about
// 8–12 s; measured 9.4 s and 11.9 s).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Held {
  answer: string | null;
  heldMs: number;
}

/** Writes raw bytes and resolves when the server closes the socket: its first answer line and how long it held it. */
function send(port: number, payload: string | Buffer): Promise<Held> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answer: data === '' ? null : data.split('\r\n')[0]!, heldMs: Math.round(performance.now() - started) }));
    socket.write(payload);
  });
}

const MALFORMED_HEADERS: Record<string, string | Buffer> = {
  'bad request line': 'GARBAGE\r\n\r\n',
  'no HTTP version': 'GET /healthz\r\n\r\n',
  'HTTP/0.9': 'GET /healthz\r\n',
  'HTTP/2 preface on HTTP/1': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'unknown HTTP version': 'GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n',
  'no Host': 'GET /healthz HTTP/1.1\r\n\r\n',
  'header without a colon': 'GET /healthz HTTP/1.1\r\nHost: a\r\nBadHeader\r\n\r\n',
  'header name with a space': 'GET /healthz HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n',
  '300 headers': `GET /healthz HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 300 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
  'garbage bytes': Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
  'bare LF line ends': 'GET /healthz HTTP/1.1\nHost: a\n\n',
  'headers never finished': 'GET /healthz HTTP/1.1\r\nHost: a\r\n',
  'NUL in the path': 'GET /heal\0thz HTTP/1.1\r\nHost: a\r\n\r\n',
};

const MALFORMED_FRAMING: Record<string, string> = {
  'Content-Length not a number': 'POST /v1/offers HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n',
  'Content-Length with Transfer-Encoding': 'POST /v1/offers HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'bad chunk size': 'POST /v1/offers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
};

describe('malformed HTTP requests (uWS v20.30 behaviour)', () => {
  it('closes bad framing at once, holds bad request lines and headers until its own timeout, and changes nothing', async () => {
    const seqBefore = h.server.sequencer.appliedSeq;
    const cases = { ...MALFORMED_HEADERS, ...MALFORMED_FRAMING };
    const results = await Promise.all(Object.entries(cases).map(async ([name, payload]) => [name, await send(h.server.port, payload)] as const));
    for (const [name, held] of results) console.log(`${name.padEnd(40)} ${held.answer ?? '(no answer)'}, socket held ${held.heldMs} ms`);
    for (const [name, held] of results) {
      expect(held.answer, name).toBeNull();
      if (name in MALFORMED_FRAMING) expect(held.heldMs, name).toBeLessThan(1_000);
      else {
        // uWS's HTTP timeout is 10 s counted in 4 s ticks. Held less than 5 s: uWS now answers these itself (newer
        // versions send 400/431/505 at once) — update docs/http-api.md.
        expect(held.heldMs, name).toBeGreaterThan(5_000);
        expect(held.heldMs, name).toBeLessThan(15_000);
      }
    }
    // Nothing reached a route, nothing was sequenced, and the server still answers.
    expect(h.server.sequencer.appliedSeq).toBe(seqBefore);
    expect((await h.http('GET', '/healthz')).status).toBe(200);
  });
});
