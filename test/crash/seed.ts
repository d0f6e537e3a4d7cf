// The crash tests' seed: CRASH_SEED to reproduce a run, otherwise a fresh one. Every failure message names it.
export function crashSeed(): number {
  const given = process.env.CRASH_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`CRASH_SEED must be an integer, got "${given}"`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
