// The credentials CLI (`npm run mint`), run as a child process the way an operator runs it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyShopperToken } from '../../gateway/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'cli-test-secret-that-is-long-enough-0123';

function mint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'gateway/mint-token.ts', ...args],
      { cwd: ROOT, env: { ...process.env, TOKEN_SECRET: SECRET } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('mint-token CLI', () => {
  it('puts --member-tier and the other facts into the shopper token', async () => {
    const out = await mint(['shopper', 'bob', '--newcomer', '--member-tier', 'gold', '--priority-class', '2', '--ttl-s', '600']);
    expect(out.code).toBe(0);
    const check = verifyShopperToken(SECRET, out.stdout.trim(), Date.now());
    expect(check).toMatchObject({ ok: true, claims: { shopperId: 'bob', newcomer: true, memberTier: 'gold', priorityClass: 2, creditScore: null } });
  });

  it('refuses a member tier the server would refuse, with the usage line', async () => {
    const out = await mint(['shopper', 'bob', '--member-tier', 'gold tier']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('--member-tier');
    expect(out.stderr).toContain('usage:');
  });

  it('refuses a --ttl-s longer than the server accepts (TOKEN_MAX_LIFETIME_S, 24 h by default)', async () => {
    expect((await mint(['shopper', 'bob', '--ttl-s', '86400'])).code).toBe(0);
    const out = await mint(['shopper', 'bob', '--ttl-s', '86401']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('TOKEN_MAX_LIFETIME_S');
  });
});
