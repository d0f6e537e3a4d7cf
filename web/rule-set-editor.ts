// A rule set as a form: every value of the rule-set document becomes a labelled field whose `data-path` is its
// path in the document (`rules.0.tiers.1.priceMinor`), so each validation message from the server appears next
// to the field it is about. The form is generated from the document itself, so every rule kind — and kinds added
// later — can be edited; templates (rule-set-templates.ts) give new rules a sensible start. A JSON view edits the
// same document as text, for anything the form does not offer (adding an optional field, say).
import { button, el, field, newId, numberInput, numberValue, select, textInput } from './dom.ts';
import { RULE_KINDS_BY_STAGE, CHOICES, SHAPES, ruleTemplate, stageOf } from './rule-set-templates.ts';

type Json = Record<string, unknown>;
type Path = (string | number)[];

export class RuleSetEditor {
  readonly element: HTMLElement;
  private doc: Json;
  private mode: 'form' | 'json' = 'form';
  private readonly formView = el('div', { class: 'rule-form' });
  private readonly jsonText = el('textarea', { class: 'json', attrs: { rows: 18, spellcheck: false } });
  private readonly jsonView: HTMLElement;
  private readonly formButton: HTMLButtonElement;
  private readonly jsonButton: HTMLButtonElement;

  constructor(
    initial: Json,
    private readonly context: { nowMs: () => number; basePriceMinor: () => number },
  ) {
    this.doc = structuredClone(initial);
    this.jsonView = field('Rule set as JSON', this.jsonText, { path: '' }).wrapper;
    this.jsonView.hidden = true;
    this.formButton = button('Form', () => this.switchTo('form'), { attrs: { 'aria-pressed': 'true' } });
    this.jsonButton = button('JSON', () => this.switchTo('json'), { attrs: { 'aria-pressed': 'false' } });
    this.element = el('div', { class: 'rule-set-editor' }, [el('div', { class: 'mode-switch', attrs: { role: 'group', 'aria-label': 'Edit as' } }, [this.formButton, this.jsonButton]), this.formView, this.jsonView]);
    this.renderForm();
  }

  /** The document as edited; in the JSON view, a parse error is shown next to the text and null returned. */
  value(): Json | null {
    if (this.mode === 'form') return structuredClone(this.doc);
    const parsed = this.parseJson();
    return parsed;
  }

  /** Replaces the document (after a save, to start the next version from what is in force). */
  load(doc: Json): void {
    this.doc = structuredClone(doc);
    if (this.mode === 'json') this.jsonText.value = JSON.stringify(this.doc, null, 2);
    else this.renderForm();
  }

  private switchTo(mode: 'form' | 'json'): void {
    if (mode === this.mode) return;
    if (mode === 'form') {
      const parsed = this.parseJson();
      if (parsed === null) return;
      this.doc = parsed;
      this.renderForm();
    } else {
      this.jsonText.value = JSON.stringify(this.doc, null, 2);
    }
    this.mode = mode;
    this.formView.hidden = mode !== 'form';
    this.jsonView.hidden = mode !== 'json';
    this.formButton.setAttribute('aria-pressed', String(mode === 'form'));
    this.jsonButton.setAttribute('aria-pressed', String(mode === 'json'));
  }

  private parseJson(): Json | null {
    const slot = this.jsonView.querySelector<HTMLElement>('.field-error')!;
    try {
      const parsed = JSON.parse(this.jsonText.value) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('a rule set is a JSON object');
      slot.hidden = true;
      return parsed as Json;
    } catch (error) {
      slot.textContent = `Not valid JSON: ${(error as Error).message}`;
      slot.hidden = false;
      this.jsonText.focus();
      return null;
    }
  }

  private renderForm(): void {
    const rules = Array.isArray(this.doc.rules) ? (this.doc.rules as Json[]) : [];
    const top = Object.entries(this.doc).filter(([key]) => key !== 'rules' && key !== 'guardrails' && key !== 'schemaVersion');
    this.formView.replaceChildren(
      el(
        'div',
        { class: 'grid' },
        top.map(([key, value]) => this.renderValue(value, [key], key)),
      ),
      el('fieldset', { class: 'rules', attrs: { 'data-path': 'rules' } }, [
        el('legend', { text: `Rules, in order of application (${rules.length})` }),
        ...rules.map((rule, index) => this.renderRule(rule, index, rules.length)),
        this.addRuleControls(),
        errorSlot(),
      ]),
    );
    if (this.doc.guardrails !== undefined) this.formView.append(this.renderValue(this.doc.guardrails, ['guardrails'], 'guardrails'));
  }

  private renderRule(rule: Json, index: number, count: number): HTMLElement {
    const kind = String(rule.kind ?? '?');
    const name = `Rule ${index + 1}: ${kind}${typeof rule.label === 'string' ? ` “${rule.label}”` : ''}`;
    const children = Object.entries(rule)
      .filter(([key]) => key !== 'kind')
      .map(([key, value]) => this.renderValue(value, ['rules', index, key], key));
    return el('fieldset', { class: 'rule', attrs: { 'data-path': `rules.${index}`, 'data-kind': kind } }, [
      el('legend', { text: name }),
      el('div', { class: 'rule-actions' }, [
        button(`Move rule ${index + 1} up`, () => this.moveRule(index, -1), { attrs: { disabled: index === 0 } }),
        button(`Move rule ${index + 1} down`, () => this.moveRule(index, 1), { attrs: { disabled: index === count - 1 } }),
        button(`Remove rule ${index + 1}`, () => this.removeAt(['rules', index]), { kind: 'danger' }),
      ]),
      el('div', { class: 'grid' }, children),
      errorSlot(),
    ]);
  }

  private addRuleControls(): HTMLElement {
    const kind = select(
      RULE_KINDS_BY_STAGE.map(([name]) => [name, name] as const),
      'window',
    );
    const add = button('Add rule', () => {
      const rules = Array.isArray(this.doc.rules) ? (this.doc.rules as Json[]) : [];
      // Inserted after the last rule of its stage or an earlier one, so the list stays in the order it applies.
      const stage = stageOf(kind.value);
      let at = 0;
      rules.forEach((rule, index) => {
        if (stageOf(String(rule.kind)) <= stage) at = index + 1;
      });
      rules.splice(at, 0, ruleTemplate(kind.value, this.context.nowMs(), this.context.basePriceMinor()));
      this.doc.rules = rules;
      this.renderForm();
    });
    return el('div', { class: 'add-rule' }, [field('Rule kind to add', kind).wrapper, add]);
  }

  /** A field, or a group of fields, for one value of the document at `path`. */
  private renderValue(value: unknown, path: Path, key: string): HTMLElement {
    const dotted = path.join('.');
    if (Array.isArray(value)) {
      return el('fieldset', { class: 'list', attrs: { 'data-path': dotted } }, [
        el('legend', { text: key }),
        ...value.map((item, index) =>
          el('div', { class: 'list-item', attrs: { 'data-path': `${dotted}.${index}`, role: 'group', 'aria-label': `${key} ${index + 1}` } }, [
            // A flat item (a tier, a step, a level) reads best as one row of fields; anything deeper as a group.
            ...(isFlatObject(item)
              ? Object.entries(item).map(([childKey, child]) => this.leafField(child, [...path, index, childKey], childKey))
              : [this.renderValue(item, [...path, index], `${key} ${index + 1}`)]),
            button(`Remove ${key} ${index + 1}`, () => this.removeAt([...path, index])),
            errorSlot(),
          ]),
        ),
        button(`Add to ${key}`, () => {
          const last = value[value.length - 1] as unknown;
          value.push(last === undefined ? {} : structuredClone(last));
          this.renderForm();
        }),
        errorSlot(),
      ]);
    }
    if (typeof value === 'object' && value !== null) {
      const shape = SHAPES[key];
      const entries = Object.entries(value as Json);
      return el('fieldset', { class: 'object', attrs: { 'data-path': dotted } }, [
        el('legend', { text: key }),
        el(
          'div',
          { class: 'grid' },
          entries.map(([childKey, child]) =>
            shape && childKey === 'type' ? this.shapePicker(shape.types, String(child), path, key, [...path, childKey]) : this.renderValue(child, [...path, childKey], childKey),
          ),
        ),
        errorSlot(),
      ]);
    }
    return this.leafField(value, path, key);
  }

  private leafField(value: unknown, path: Path, key: string): HTMLElement {
    const dotted = path.join('.');
    const choices = CHOICES[key];
    if (typeof value === 'boolean') {
      const box = el('input', { attrs: { type: 'checkbox', id: newId('rs'), checked: value } });
      box.addEventListener('change', () => this.setAt(path, box.checked));
      return el('div', { class: 'field checkbox', attrs: { 'data-path': dotted } }, [box, el('label', { text: key, attrs: { for: box.id } }), errorSlot()]);
    }
    if (choices && typeof value === 'string') {
      const picker = select(
        choices.map((choice) => [choice, choice] as const),
        value,
      );
      picker.addEventListener('change', () => this.setAt(path, picker.value));
      return field(key, picker, { path: dotted }).wrapper;
    }
    if (typeof value === 'number' || value === null) {
      const input = numberInput(value as number | null, { placeholder: value === null ? 'none' : undefined });
      input.addEventListener('input', () => this.setAt(path, numberValue(input) ?? null));
      return field(key, input, { path: dotted }).wrapper;
    }
    const input = textInput(String(value ?? ''));
    input.addEventListener('input', () => this.setAt(path, input.value));
    return field(key, input, { path: dotted }).wrapper;
  }

  /** The `type` of a schedule or an adjustment: picking another replaces the object with that shape's template. */
  private shapePicker(types: readonly string[], current: string, objectPath: Path, objectKey: string, path: Path): HTMLElement {
    const picker = select(
      types.map((type) => [type, type] as const),
      current,
    );
    picker.addEventListener('change', () => {
      this.setAt(objectPath, SHAPES[objectKey]!.template(picker.value, this.context.nowMs(), this.context.basePriceMinor()));
      this.renderForm();
    });
    return field('type', picker, { path: path.join('.') }).wrapper;
  }

  private moveRule(index: number, by: -1 | 1): void {
    const rules = this.doc.rules as Json[];
    const [rule] = rules.splice(index, 1);
    rules.splice(index + by, 0, rule!);
    this.renderForm();
  }

  private removeAt(path: Path): void {
    const parent = this.parentOf(path);
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (parent) delete (parent as Json)[String(last)];
    this.renderForm();
  }

  private setAt(path: Path, value: unknown): void {
    const parent = this.parentOf(path);
    if (parent) (parent as Record<string | number, unknown>)[path[path.length - 1]!] = value;
  }

  private parentOf(path: Path): unknown {
    let node: unknown = this.doc;
    for (const part of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[part];
    return node;
  }
}

function isFlatObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((child) => typeof child !== 'object' || child === null);
}

function errorSlot(): HTMLElement {
  return el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } });
}
