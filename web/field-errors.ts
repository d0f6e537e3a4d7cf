// Puts each server-side problem next to the field it is about. The server names fields by dotted paths relative
// to the request body — `mechanism.minSize: Too small…` (bad_request), `mechanism.maxSize must be at least minSize`
// (invalid_settings from the engine), or a list of `{path, message}` (the pricing routes) — and form fields carry
// the same path in `data-path`. A problem whose field is not on screen goes to the form's summary, never nowhere.
import { el } from './dom.ts';
import type { Failure } from './wire.ts';

export interface FieldProblem {
  path: string;
  message: string;
}

// A dotted path at the start of a message, followed by ":" or a space ("mechanism.tiers.1.priceMinor: …").
const LEADING_PATH = /^([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(:\s*|\s+)([\s\S]*)$/;

/**
 * Codes whose message names no field but which are about one: `offer_exists` is about the id the merchant chose.
 * Keyed by code; the value is the field path.
 */
const FIELD_OF_CODE: Record<string, string> = { offer_exists: 'offerId', group_exists: 'groupId' };

/** The field problems in a refusal: its `errors` list, or the `; `-separated parts of its message. */
export function problemsOf(failure: Failure): FieldProblem[] {
  if (failure.errors && failure.errors.length > 0) return failure.errors;
  const byCode = FIELD_OF_CODE[failure.code];
  if (byCode) return [{ path: byCode, message: failure.message }];
  return failure.message.split('; ').map((part) => {
    const match = LEADING_PATH.exec(part);
    // Only words that look like field paths count: a message starting "Offer …" is prose, not a field.
    // After "path:" the rest is the message; after "path " the path is the sentence's subject, so it stays in.
    if (match && /[.]|^[a-z]+[A-Z]|^[a-z]+$/.test(match[1]!)) return { path: match[1]!, message: match[2]!.startsWith(':') ? match[3]! : part };
    return { path: '', message: part };
  });
}

/** Removes every message placed by `placeProblems` inside `form`. */
export function clearProblems(form: Element): void {
  for (const error of form.querySelectorAll<HTMLElement>('.field-error')) {
    error.textContent = '';
    error.hidden = true;
  }
  for (const invalid of form.querySelectorAll('[aria-invalid="true"]')) invalid.removeAttribute('aria-invalid');
  for (const summary of form.querySelectorAll<HTMLElement>('.form-problems')) summary.replaceChildren();
}

/**
 * Shows each problem under the field whose `data-path` is its path, or the nearest enclosing one (an unknown field
 * inside a rule goes to that rule); the rest under `summary`. `prefix` is stripped from paths first (the rule-set
 * editor's fields are relative to the rule set, the server's to the body: `ruleSet.`). Focuses the first field.
 */
export function placeProblems(form: Element, problems: FieldProblem[], summary: HTMLElement, prefix = ''): void {
  let first: HTMLElement | null = null;
  const unplaced: string[] = [];
  for (const problem of problems) {
    const path = prefix && problem.path.startsWith(prefix) ? problem.path.slice(prefix.length) : problem.path;
    const target = path === '' ? null : findField(form, path);
    const slot = target?.querySelector<HTMLElement>(':scope > .field-error');
    if (!target || !slot) {
      unplaced.push(problem.path && !problem.message.startsWith(problem.path) ? `${problem.path}: ${problem.message}` : problem.message);
      continue;
    }
    // A field may collect several problems (a tier with a wrong size and a wrong price).
    slot.textContent = slot.textContent ? `${slot.textContent} · ${messageFor(target, path, problem.message)}` : messageFor(target, path, problem.message);
    slot.hidden = false;
    const control = target.querySelector<HTMLElement>(':scope > input, :scope > select, :scope > textarea');
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? target;
  }
  if (unplaced.length > 0) {
    summary.append(el('ul', {}, unplaced.map((text) => el('li', { text }))));
    first ??= summary;
  }
  first?.focus();
}

function findField(form: Element, path: string): HTMLElement | null {
  const parts = path.split('.');
  for (let length = parts.length; length > 0; length--) {
    const candidate = parts.slice(0, length).join('.');
    const found = form.querySelector<HTMLElement>(`[data-path="${CSS.escape(candidate)}"]`);
    if (found) return found;
  }
  return null;
}

/** A problem placed on an enclosing field keeps the rest of its path, so "colour: is not a field" stays clear. */
function messageFor(target: HTMLElement, path: string, message: string): string {
  const targetPath = target.dataset.path ?? '';
  return targetPath === path ? message : `${path.slice(targetPath.length + 1)}: ${message}`;
}
