// kill -9 under load, embedded file store: see scenario.ts for what each kill checks.
import { describe, expect, it } from 'vitest';
import { crashSeed } from './seed.ts';
import { runCrashScenario } from './scenario.ts';

describe('crash recovery, file store', () => {
  it('loses nothing acknowledged across 12 kill -9 under load, and recovers the replayed state each time', async () => {
    const report = await runCrashScenario({ store: 'file', kills: 12, seed: crashSeed(), answersBeforeKill: [40, 400] });
    expect(report.kills).toBe(12);
    expect(report.journalEntries).toBeGreaterThan(report.kills * 20);
    expect(report.restartsFromSnapshot).toBeGreaterThan(0);
  }, 90_000);
});
