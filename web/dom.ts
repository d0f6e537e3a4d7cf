// A few DOM helpers so pages read as structure, not as createElement calls. Text is always set as text (never as
// HTML), so names, titles and server messages cannot inject markup.

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  /** Attributes, set as given (`for`, `aria-*`, `data-*`, `type`, …). */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) element.addEventListener(type, listener as EventListener);
  append(element, children);
  return element;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child);
  }
}

export function replaceChildren(parent: Element, children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;

/** A fresh element id, for `label for=` and `aria-describedby`. */
export function newId(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

export interface FieldParts {
  wrapper: HTMLDivElement;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLParagraphElement;
}

/**
 * A labelled control with a place for its error right below it. `path` is the field's dotted path in the request
 * body (`mechanism.minSize`), which is how server errors find the field they are about.
 */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, options: { path?: string; hint?: string } = {}): FieldParts {
  input.id ||= newId('f');
  const error = el('p', { class: 'field-error', attrs: { id: `${input.id}-error`, role: 'alert', hidden: true } });
  const describedBy = [`${input.id}-error`];
  let hint: HTMLElement | null = null;
  if (options.hint) {
    hint = el('p', { class: 'hint', text: options.hint, attrs: { id: `${input.id}-hint` } });
    describedBy.push(`${input.id}-hint`);
  }
  input.setAttribute('aria-describedby', describedBy.join(' '));
  const wrapper = el('div', { class: 'field', attrs: { 'data-path': options.path } }, [el('label', { text: label, attrs: { for: input.id } }), input, hint, error]);
  return { wrapper, input, error };
}

export function textInput(value: string, attrs: Props['attrs'] = {}): HTMLInputElement {
  const input = el('input', { attrs: { type: 'text', ...attrs } });
  input.value = value;
  return input;
}

export function numberInput(value: number | null, attrs: Props['attrs'] = {}): HTMLInputElement {
  const input = el('input', { attrs: { type: 'number', step: 1, inputmode: 'numeric', ...attrs } });
  input.value = value === null ? '' : String(value);
  return input;
}

export function select(options: readonly (readonly [string, string])[], value: string): HTMLSelectElement {
  const element = el(
    'select',
    {},
    options.map(([optionValue, text]) => el('option', { text, attrs: { value: optionValue } })),
  );
  element.value = value;
  return element;
}

export function button(text: string, onClick: (event: MouseEvent) => void, options: { kind?: 'primary' | 'secondary' | 'danger'; attrs?: Props['attrs'] } = {}): HTMLButtonElement {
  return el('button', { text, class: `btn ${options.kind ?? 'secondary'}`, attrs: { type: 'button', ...options.attrs }, on: { click: onClick } });
}

/** A status line under an action: the server's message, announced to screen readers. */
export function statusLine(): HTMLParagraphElement {
  return el('p', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
}

export function showStatus(line: HTMLElement, kind: 'ok' | 'error' | 'info', text: string): void {
  line.className = `status ${kind}`;
  line.textContent = text;
}

/**
 * Reads a number input. Empty gives undefined, so an optional field is left out of the request; what the person
 * typed is sent as typed (1.5 included), so the server's message about it names the field and the rule.
 */
export function numberValue(input: HTMLInputElement): number | undefined {
  if (input.value.trim() === '') return undefined;
  const value = Number(input.value);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Re-renders `container` without losing the keyboard user's place: the focused control is found again after the
 * render by its `data-action` (or id) and focused. Live lists re-render on every event; without this, an event
 * arriving while someone tabs to "Join" would drop their focus to the page's start.
 */
export function preservingFocus(container: Element, render: () => void): void {
  const active = document.activeElement;
  const within = active instanceof HTMLElement && container.contains(active);
  const action = within ? (active.dataset.action ?? null) : null;
  const id = within ? active.id : '';
  render();
  if (!within) return;
  const again = action !== null ? container.querySelector<HTMLElement>(`[data-action="${CSS.escape(action)}"]`) : id ? container.querySelector<HTMLElement>(`#${CSS.escape(id)}`) : null;
  again?.focus();
}

/** Status lines that outlive re-renders, one per key (a row's action keeps its message when the list redraws). */
export class StatusLines {
  private readonly lines = new Map<string, HTMLParagraphElement>();

  for(key: string): HTMLParagraphElement {
    let line = this.lines.get(key);
    if (!line) {
      line = statusLine();
      this.lines.set(key, line);
      // Bounded by what a page shows; the oldest line is forgotten first.
      if (this.lines.size > 200) this.lines.delete(this.lines.keys().next().value!);
    }
    return line;
  }
}
