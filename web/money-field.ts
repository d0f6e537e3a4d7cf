// A labelled amount in minor units that shows, as it is typed, what it is in the offer's currency
// ("= CN¥150.00"): the server takes integer minor units, people read money.
import { el, field, numberValue, type FieldParts } from './dom.ts';
import { money } from './format.ts';

export function moneyField(label: string, input: HTMLInputElement, currency: () => string, options: { path: string; hint?: string }): FieldParts {
  const parts = field(label, input, { path: options.path, hint: options.hint });
  const amount = el('p', { class: 'hint money-echo', attrs: { 'aria-live': 'polite' } });
  parts.wrapper.insertBefore(amount, parts.error);
  const show = (): void => {
    const value = numberValue(input);
    amount.textContent = value === undefined ? '' : `= ${money(value, currency())}`;
  };
  input.addEventListener('input', show);
  show();
  return parts;
}

/** A duration typed in `unitMs` units (seconds, minutes) as milliseconds; blank stays undefined. */
export function durationValue(input: HTMLInputElement, unitMs: number): number | undefined {
  const value = numberValue(input);
  return value === undefined ? undefined : Math.round(value * unitMs);
}
