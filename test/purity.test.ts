// engine/ and pricing/ must stay deterministic. The lint rule enforces it; this test proves the rule bites
// (a probe file with each forbidden thing must fail lint) and that the real folders pass it.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe('purity of engine/ and pricing/', () => {
  it.each([
    ['a clock', 'export const now = Date.now();', 'no-restricted-globals'],
    ['a constructed date', 'export const when = new Date();', 'no-restricted-globals'],
    ['randomness', 'export const roll = Math.random();', 'no-restricted-properties'],
    ['a timer', 'setTimeout(() => 1, 5);', 'no-restricted-globals'],
    ['process', 'export const env = process.env.HOME;', 'no-restricted-globals'],
    ['a Node built-in', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", 'no-restricted-imports'],
    ['a bare built-in', "import os from 'os';\nexport const o = os;", 'no-restricted-imports'],
    ['an I/O package', "import Redis from 'ioredis';\nexport const r = Redis;", 'no-restricted-imports'],
    ['the gateway', "import { x } from '../gateway/server.ts';\nexport const y = x;", 'no-restricted-imports'],
  ])('refuses %s', async (_name, code, rule) => {
    expect(await ruleIdsFor(code, 'engine/probe.ts')).toContain(rule);
    expect(await ruleIdsFor(code, 'pricing/probe.ts')).toContain(rule);
  });

  it('lets the shells use them', async () => {
    expect(await ruleIdsFor('export const now = Date.now();', 'gateway/probe.ts')).toEqual([]);
  });

  it('finds the real core folders clean', async () => {
    const results = await eslint.lintFiles(['engine/**/*.ts', 'pricing/**/*.ts']);
    const problems = results.flatMap((result) => result.messages.map((message) => `${result.filePath}:${message.line} ${message.ruleId}`));
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(5);
  });
});
