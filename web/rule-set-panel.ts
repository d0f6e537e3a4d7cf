// The offer's pricing: its rule set versions, the editor for the next one, a check without saving
// (POST /v1/rule-sets/validate), a preview of the price curve over a day of joins (POST /v1/pricing/preview) and
// attaching it (PUT /v1/offers/{id}/rule-set). Every problem the server finds is shown next to its field.
import type { AppContext } from './app-context.ts';
import { TimeChart } from './charts.ts';
import { button, el, field, numberInput, numberValue, replaceChildren, showStatus, statusLine } from './dom.ts';
import { clearProblems, placeProblems, problemsOf } from './field-errors.ts';
import { money } from './format.ts';
import { callApi, RetryKeys } from './http-api.ts';
import { RuleSetEditor } from './rule-set-editor.ts';
import type { Failure, OfferView } from './wire.ts';

interface Versions {
  inForce: number;
  pending: { version: number; effectiveAtMs: number } | null;
  versions: { version: number; source: string; activeFromMs: number; ruleSet: Record<string, unknown> }[];
}

interface PreviewAnswer {
  preview: { points: { atMs: number; priceMinor: number }[]; minPriceMinor: number; maxPriceMinor: number; changes: number; truncated: boolean };
}

export function ruleSetPanel(offer: OfferView, apiKey: string, app: AppContext, current: () => OfferView): HTMLElement {
  const offerPath = `/v1/offers/${encodeURIComponent(offer.offerId)}`;
  const keys = new RetryKeys();
  const versionsLine = el('p', { class: 'hint', attrs: { 'data-testid': 'rule-set-versions' } });
  const editorSlot = el('div');
  const summary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const status = statusLine();
  status.dataset.testid = 'rule-set-status';
  let editor: RuleSetEditor | null = null;

  const hours = numberInput(24, { min: 1, max: 168 });
  const sampleMinutes = numberInput(30, { min: 1 });
  const joinsPerHour = numberInput(2, { min: 0 });
  const groupSettings = (view: OfferView) => (view.mechanism.type === 'group' ? view.mechanism : null);
  const initialGroup = groupSettings(offer);
  const groupSizeMax = numberInput(initialGroup ? (initialGroup.maxSize ?? initialGroup.minSize + 3) : 1, { min: 1 });
  const previewSummary = el('p', { attrs: { 'data-testid': 'preview-summary', role: 'status' } });
  const previewSlot = el('div');
  let previewChart: TimeChart | null = null;

  const form = el('form', { class: 'card', attrs: { novalidate: true, 'aria-label': 'Pricing rules' } }, [
    el('h2', { text: 'Pricing rules' }),
    versionsLine,
    editorSlot,
    el('fieldset', { class: 'preview', attrs: { 'data-path': 'scenario' } }, [
      el('legend', { text: 'Preview: the price of a new group as shoppers join' }),
      el('div', { class: 'grid' }, [
        field('Hours to preview', hours, { path: 'scenario.durationMs' }).wrapper,
        field('One point every (minutes)', sampleMinutes, { path: 'scenario.sampleEveryMs' }).wrapper,
        field('Joins per hour', joinsPerHour, { path: 'scenario.joinsPerHour' }).wrapper,
        field('Largest group', groupSizeMax, { path: 'scenario.groupSizeMax' }).wrapper,
      ]),
      previewSummary,
      previewSlot,
    ]),
    summary,
    status,
    el('div', { class: 'actions' }, [
      button('Check', () => void check()),
      button('Preview price curve', () => void preview()),
      el('button', { text: 'Attach this version', class: 'btn primary', attrs: { type: 'submit' } }),
    ]),
  ]);

  const showFailure = (failure: Failure, what: string): void => {
    showStatus(status, 'error', `${what}: ${failure.message} (${failure.code})`);
    // Editor fields are paths within the rule set; the server's are within the request body.
    const problems = problemsOf(failure);
    const scenario = problems.filter((problem) => problem.path.startsWith('scenario'));
    placeProblems(editorSlot, problems.filter((problem) => !scenario.includes(problem)), summary, 'ruleSet.');
    if (scenario.length > 0) placeProblems(form.querySelector('fieldset.preview')!, scenario, summary);
  };

  const load = async (): Promise<void> => {
    const answer = await callApi<Versions>('GET', `${offerPath}/rule-sets`, { apiKey });
    if (!answer.ok) return showFailure(answer.failure, 'Cannot read the rule sets');
    const { inForce, pending, versions } = answer.value;
    const latest = versions[versions.length - 1];
    versionsLine.textContent = `In force: version ${inForce} (${latest?.source === 'merchant' ? 'saved by you' : 'derived from the offer’s tiers'})${
      pending ? `; version ${pending.version} waits for ${new Date(pending.effectiveAtMs).toLocaleString()}` : ''
    }. The next save must be a higher version.`;
    const next = Math.max(inForce, pending?.version ?? 0) + 1;
    const doc = { ...(latest?.ruleSet ?? { schemaVersion: 1, currency: offer.currency, rules: [] }), version: next };
    if (editor) editor.load(doc);
    else {
      editor = new RuleSetEditor(doc, { nowMs: () => app.clock.now(), basePriceMinor: () => current().basePriceMinor });
      editorSlot.replaceChildren(editor.element);
    }
  };

  const check = async (): Promise<void> => {
    clearProblems(form);
    const ruleSet = editor?.value();
    if (!ruleSet) return;
    const answer = await callApi('POST', '/v1/rule-sets/validate', { apiKey, body: { offerId: offer.offerId, ruleSet } });
    if (!answer.ok) return showFailure(answer.failure, 'Not valid');
    showStatus(status, 'ok', 'Valid: this rule set can be attached.');
  };

  const preview = async (): Promise<void> => {
    clearProblems(form);
    const ruleSet = editor?.value();
    if (!ruleSet) return;
    const now = app.clock.now();
    const live = current();
    // Group-buys price a group with a deadline and missing seats; other mechanisms preview without them.
    const group = groupSettings(live);
    const toMs = (input: HTMLInputElement, unitMs: number) => {
      const value = numberValue(input);
      return value === undefined ? undefined : Math.round(value * unitMs);
    };
    const body = {
      type: 'join_rate',
      explain: 'none',
      ruleSet,
      scenario: {
        durationMs: toMs(hours, 3_600_000),
        sampleEveryMs: toMs(sampleMinutes, 60_000),
        joinsPerHour: numberValue(joinsPerHour),
        unitsPerJoin: 1,
        groupSizeMax: numberValue(groupSizeMax),
        start: {
          basePriceMinor: live.basePriceMinor,
          nowMs: now,
          utcOffsetMinutes: -new Date(now).getTimezoneOffset(),
          groupSize: 1,
          seatsMissing: group ? Math.max(0, group.minSize - 1) : 0,
          groupDeadlineMs: group ? now + group.windowMs : null,
          offerEndMs: live.endMs,
          inventoryLeft: live.availableUnits,
          inventoryTotal: live.inventory,
          demand: { joinsSinceSurgeUpdate: 0, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 },
          segment: { newcomer: false, memberTier: null, isLeader: false },
          surge: null,
          priceWindow: null,
        },
      },
    };
    const answer = await callApi<PreviewAnswer>('POST', '/v1/pricing/preview', { apiKey, body });
    if (!answer.ok) return showFailure(answer.failure, 'No preview');
    const { points, minPriceMinor, maxPriceMinor, changes } = answer.value.preview;
    previewChart?.destroy();
    previewChart = new TimeChart('Previewed price', live.currency);
    replaceChildren(previewSlot, [previewChart.element]);
    previewChart.setPoints(points.map((point) => ({ atMs: point.atMs, value: point.priceMinor })));
    previewSummary.textContent = `${points.length} points: from ${money(minPriceMinor, live.currency)} to ${money(maxPriceMinor, live.currency)}, ${changes} change(s). Nothing was saved.`;
    showStatus(status, 'info', 'Preview ready: attach the version when it looks right.');
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clearProblems(form);
      const ruleSet = editor?.value();
      if (!ruleSet) return;
      const action = JSON.stringify(ruleSet);
      const key = keys.key(action);
      const answer = await callApi<{ ruleSetVersion: number; effectiveAtMs: number }>('PUT', `${offerPath}/rule-set`, { apiKey, body: { ruleSet }, idempotencyKey: key });
      keys.settle(action, key, answer.ok ? null : answer.failure.code);
      if (!answer.ok) return showFailure(answer.failure, 'Not attached');
      showStatus(status, 'ok', `Attached version ${answer.value.ruleSetVersion}; in force from ${new Date(answer.value.effectiveAtMs).toLocaleTimeString()}. Watchers see the new price live.`);
      await load();
    })();
  });

  void load();
  return form;
}
