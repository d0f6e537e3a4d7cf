// A broken check: which one, and what was seen. The simulator turns it into a report that names the seed, the
// step and the command that replays it.
import { canonicalJson } from '../../engine/index.ts';

export class CheckFailure extends Error {
  override name = 'CheckFailure';
  constructor(
    /** A short stable name of the check, e.g. "result differs from the reference model". */
    readonly check: string,
    readonly detail: string,
  ) {
    super(`${check}\n${detail}`);
  }
}

/**
 * Throws unless `actual` and `expected` have the same canonical JSON (key order and undefined fields ignored).
 * Plain JSON answers first: both sides are usually built with their keys in the same order, and serializing
 * natively is much cheaper than a canonical form; only a miss needs the canonical comparison.
 */
export function expectSame(check: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  expectSameText(check, canonicalJson(actual), canonicalJson(expected));
}

/** Throws unless two texts (canonical JSON already) are equal, showing where they part. */
export function expectSameText(check: string, actual: string, expected: string): void {
  if (actual !== expected) throw new CheckFailure(check, `expected: ${clip(expected)}\nactual:   ${clip(actual)}${firstDifference(actual, expected)}`);
}

export function expectTrue(check: string, condition: boolean, detail: () => string): void {
  if (!condition) throw new CheckFailure(check, detail());
}

function clip(text: string, max = 1_500): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** Where two long JSON texts first part, so a one-field difference in a large projection is easy to see. */
function firstDifference(a: string, e: string): string {
  if (a.length < 200 && e.length < 200) return '';
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  const from = Math.max(0, i - 120);
  return `\nfirst difference at character ${i}:\n  expected …${e.slice(from, i + 80)}\n  actual   …${a.slice(from, i + 80)}`;
}
