// Key facts of a live mechanism as a definition list ("Price now: CN¥121.00"), the shape both the merchant's and
// the shopper's panels use. A fact may carry a test id and data attributes, so tests and scripts read values, not
// wording.
import { el } from '../dom.ts';

export interface Fact {
  label: string;
  value: Node | string;
  testid?: string;
  /** The headline figure (a price): shown large. */
  big?: boolean;
  data?: Record<string, string | number | null>;
}

export function factList(facts: readonly (Fact | null | false)[]): HTMLDListElement {
  const list = el('dl', { class: 'facts-list' });
  for (const fact of facts) {
    if (!fact) continue;
    const value = el('dd', { class: fact.big ? 'big' : undefined, attrs: { 'data-testid': fact.testid } }, [fact.value]);
    for (const [name, data] of Object.entries(fact.data ?? {})) if (data !== null) value.dataset[name] = String(data);
    list.append(el('div', {}, [el('dt', { text: fact.label }), value]));
  }
  return list;
}

/** A countdown to `deadlineMs` on the server's clock (filled by the page's ticker). */
export function countdown(deadlineMs: number): HTMLElement {
  return el('span', { class: 'countdown', attrs: { 'data-deadline-ms': deadlineMs } });
}
