// The command line writes both reports and prints where; a bad scenario exits 2 naming the field; the HTML report
// is one self-contained file (no scripts, no links, no network) with its charts inline.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderHtml, runScenario } from '../../simulations/index.ts';
import { progressBar } from '../../simulations/progress.ts';
import { smallScenario } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'simulations/cli.ts', ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('command line', () => {
  it('writes report.json and report.html and prints a summary; a wrong scenario exits 2 naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuan-sim-cli-'));
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(smallScenario()));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: broken\nduration: 1h\n');
    const out = join(dir, 'out');
    // Both at once: each pays the start-up of a fresh process.
    const [result, refused] = await Promise.all([cli([file, '--seed', '12', '--set', 'duration=30m', '--out', out]), cli([broken])]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('small (in-process, seed 12)');
    expect(result.stdout).toContain('engine state hash');
    expect(result.stdout).toContain(join(out, 'report.json'));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { seed: number; overrides: string[]; scenario: { source: string } };
    expect(report.seed).toBe(12);
    expect(report.overrides).toEqual(['duration=30m']);
    expect(report.scenario.source).toBe('small.json');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('broken.yaml: 3 problems:');
    expect(refused.stderr).toContain('offers: Invalid input: expected array, received undefined');
  });
});

describe('HTML report', () => {
  it('is self-contained: inline SVG charts and styles, no script, no external reference', async () => {
    const report = await runScenario(smallScenario({ variants: [{ name: 'low', set: { 'offers.0.basePriceMinor': 900 } }, { name: 'high', set: {} }] }));
    const html = renderHtml(report);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2 * 7);
    for (const title of ['Headline price over time', 'Group fill curves', 'Units held and sold', 'Time to form', 'Unit price paid', 'Comparison']) expect(html).toContain(title);
    // Text from the scenario is escaped, never markup.
    const tricky = await runScenario(smallScenario({ description: '<b>bold</b> & "quoted"' }));
    expect(renderHtml(tricky)).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
  });
});

describe('progress bar', () => {
  function fakeStream(isTTY: boolean) {
    const written: string[] = [];
    return { written, stream: { isTTY, columns: 100, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
  }

  it('draws on a terminal and erases itself when done', () => {
    const { written, stream } = fakeStream(true);
    const bar = progressBar(stream, { delayMs: 0, intervalMs: 0 });
    bar.update(0.5, 'variant A');
    bar.done();
    expect(written[0]).toMatch(/^\r\[#{14}\.{14}\]\s+50 % .* variant A/);
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { written, stream } = fakeStream(false);
    const bar = progressBar(stream, { delayMs: 0, intervalMs: 0 });
    bar.update(0.5, 'x');
    bar.done();
    expect(written).toEqual([]);
  });
});
