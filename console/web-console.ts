// Serves the web console (web/) from the gateway itself: the page at `/` and `/console`, its script and styles,
// and what this server offers (`/console/config.json`). docs/web-console.md describes the pages.
//
// The browser code is TypeScript in web/, bundled with esbuild in memory the first time a page asks for it, then
// kept for the life of the process (about 50 ms, once). Why then and there: `npm start` needs no build step and
// no generated file can go stale or be committed by mistake; the servers that tests and benchmarks start by the
// dozen never pay for a bundle they do not serve. uPlot's stylesheet comes from node_modules, so nothing is fetched
// from the internet, ever.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TemplatedApp } from 'uWebSockets.js';
import type { GatewayContext } from '../gateway/context.ts';
import { route, type Reply } from '../gateway/http-kit.ts';
import { PROTOCOL_VERSION } from '../gateway/protocol.ts';
import { registerSimulationRoutes } from './web-simulations.ts';

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

export interface ConsoleAssets {
  html: string;
  js: string;
  css: string;
  /** How long bundling took, for the log. */
  buildMs: number;
}

// Headers of every console answer. The policy keeps the page to its own origin: no inline script, no third-party
// anything (uPlot styles its canvas through the DOM, which the policy allows).
const SECURITY_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

let cached: Promise<ConsoleAssets> | null = null;

/** The bundled console, built on first use and shared by every server in this process. A failed build is retried. */
export function consoleAssets(): Promise<ConsoleAssets> {
  cached ??= bundle().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

async function bundle(): Promise<ConsoleAssets> {
  const started = performance.now();
  // Imported here, not at the top: a server that never serves the console never loads esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${WEB_DIR}main.ts`],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'app.js',
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
  const require = createRequire(import.meta.url);
  const [html, ownCss, chartCss] = await Promise.all([
    readFile(`${WEB_DIR}index.html`, 'utf8'),
    readFile(`${WEB_DIR}styles.css`, 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  return { html, js, css: `${chartCss}\n${ownCss}`, buildMs: Math.round(performance.now() - started) };
}

// The icon: three shoppers (white dots) on a red tile, drawn here in code so no binary file is kept in the tree.
// Browsers ask for /favicon.ico by themselves; without it every console visit logs a 404.
const ICON_HEADERS = { 'cache-control': 'public, max-age=604800', 'x-content-type-options': 'nosniff' };

/** The same drawing as a 16×16, 32-bit ICO (one BMP image: header, directory entry, bitmap, AND mask). */
export function faviconIco(): Buffer {
  const size = 16;
  const dots = [
    [8, 5],
    [4.5, 10.5],
    [11.5, 10.5],
  ] as const;
  const pixels = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    for (let x = 0; x < size; x++) {
      const y = size - 1 - row; // BMP rows run bottom-up
      const cx = x + 0.5;
      const cy = y + 0.5;
      const inDot = dots.some(([dx, dy]) => (cx - dx) ** 2 + (cy - dy) ** 2 <= 2.2 ** 2);
      const corner = Math.min(cx, size - cx) < 1 && Math.min(cy, size - cy) < 1;
      const offset = (row * size + x) * 4;
      // BGRA
      if (corner) pixels.set([0, 0, 0, 0], offset);
      else if (inDot) pixels.set([255, 255, 255, 255], offset);
      else pixels.set([0x3d, 0x26, 0xd7, 255], offset);
    }
  }
  const mask = Buffer.alloc(size * 4); // 1 bit a pixel, rows padded to 4 bytes; all 0: alpha decides
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // image and mask
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits a pixel
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(22, 18); // offset of the image
  return Buffer.concat([header, image]);
}

let icoCache: Buffer | null = null;

export function registerWebConsole(app: TemplatedApp, ctx: GatewayContext): void {
  const read = { readBody: false };
  const asset = (pick: (assets: ConsoleAssets) => string, contentType: string) => async (): Promise<Reply> => {
    let assets: ConsoleAssets;
    try {
      assets = await consoleAssets();
    } catch (error) {
      ctx.logger.error({ err: error }, 'the web console could not be bundled');
      return { status: 500, body: `The console could not be built: ${(error as Error).message}`, contentType: 'text/plain; charset=utf-8', headers: SECURITY_HEADERS };
    }
    return { status: 200, body: pick(assets), contentType, headers: SECURITY_HEADERS };
  };
  const page = asset((assets) => assets.html, 'text/html; charset=utf-8');
  app.get('/', route(ctx, 'console_page', read, page));
  app.get('/console', route(ctx, 'console_page', read, page));
  app.get('/console/', route(ctx, 'console_page', read, page));
  app.get('/console/app.js', route(ctx, 'console_script', read, asset((assets) => assets.js, 'text/javascript; charset=utf-8')));
  app.get('/console/app.css', route(ctx, 'console_styles', read, asset((assets) => assets.css, 'text/css; charset=utf-8')));
  app.get('/favicon.ico', route(ctx, 'favicon', read, () => ({ status: 200, body: (icoCache ??= faviconIco()), contentType: 'image/x-icon', headers: ICON_HEADERS })));
  registerSimulationRoutes(app, ctx);
  app.get(
    '/console/config.json',
    route(ctx, 'console_config', read, () => ({
      status: 200,
      body: { devTokens: ctx.config.devTokens, effects: ctx.effects !== null, protocolVersion: PROTOCOL_VERSION },
      headers: SECURITY_HEADERS,
    })),
  );
}
