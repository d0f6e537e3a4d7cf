// The simulation view: start a shipped scenario in-process on the server (one run at a time, bounded), watch its
// progress, then its charts; list past reports (the console's and `npm run sim`'s) and open them. The run happens
// in its own server process, never in the browser and never in the gateway's event loop (docs/web-console.md).
import type { Page } from '../app-context.ts';
import { TimeChart } from '../charts.ts';
import { button, el, field, numberInput, numberValue, replaceChildren, showStatus, statusLine } from '../dom.ts';
import { clearProblems, placeProblems, problemsOf } from '../field-errors.ts';
import { formatDuration, money } from '../format.ts';
import { callApi } from '../http-api.ts';
import { merchantKey, requireMerchant } from './merchant-session.ts';

interface RunState {
  scenario: string;
  state: 'running' | 'done' | 'failed';
  fraction: number;
  variant: string;
  reportId: string | null;
  message: string | null;
}

interface Listing {
  scenarios: { name: string; description: string | null }[];
  reports: { id: string; modifiedMs: number }[];
  run: RunState | null;
}

type SeriesPoint = [atMs: number, value: number];

/** The parts of a simulation report (`tuan-simulation-report/1`, docs/simulations.md) this page shows. */
interface Report {
  format: string;
  scenario: { name: string; description: string | null };
  seed: number;
  variants: {
    name: string;
    timeline: { simulatedMs: number; endedAtMs: number; endedBy: string };
    metrics: {
      shoppers: { arrivedCount: number; purchaseRatio: number; walkedAwayCount: number };
      money: { currency: string; revenueMinor: number; soldUnits: number; averageUnitPriceMinor: number };
      groups?: { openedCount: number; formationRatio: number };
      series: { priceMinor: Record<string, SeriesPoint[]>; heldUnits: SeriesPoint[]; soldUnits: SeriesPoint[]; liveGroups: SeriesPoint[] };
    };
  }[];
}

const POLL_MS = 500;

export const simulationsPage: Page = requireMerchant((root) => {
  const apiKey = merchantKey()!;
  const overrides = el('textarea', { attrs: { rows: 3, placeholder: 'duration=10m\nshoppers.max=200', spellcheck: false } });
  const seed = numberInput(null, { min: 0, placeholder: "the scenario's" });
  const startSummary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const startStatus = statusLine();
  const scenarioList = el('ul', { class: 'scenario-list' });
  const progress = el('progress', { attrs: { max: 1, value: 0, id: 'sim-progress' } });
  const runStatus = statusLine();
  runStatus.dataset.testid = 'run-status';
  const runCard = el('section', { class: 'card', attrs: { 'aria-label': 'Run', hidden: true } }, [el('h3', { text: 'Run' }), el('label', { text: 'Progress', attrs: { for: 'sim-progress' } }), progress, runStatus]);
  const reportList = el('ul', { class: 'report-list' });
  const charts = el('div', { class: 'sim-charts', attrs: { 'aria-live': 'polite' } });
  const chartObjects: TimeChart[] = [];
  let poller: number | null = null;
  let shownRun: string | null = null;

  const form = el('form', { class: 'card', attrs: { novalidate: true, 'aria-label': 'Start a simulation' } }, [
    el('h2', { text: 'Simulations' }),
    el('p', { class: 'hint', text: 'Runs a shipped scenario in-process on the server, on a simulated clock: minutes of market in seconds. One run at a time, stopped after two minutes.' }),
    el('div', { class: 'grid' }, [
      field('Overrides (one path=value a line)', overrides, { path: 'set', hint: 'As `npm run sim -- --set`: e.g. duration=10m for a quicker run.' }).wrapper,
      field('Seed', seed, { path: 'seed' }).wrapper,
    ]),
    scenarioList,
    startSummary,
    startStatus,
  ]);

  const showReport = async (id: string): Promise<void> => {
    const answer = await callApi<Report>('GET', `/console/reports/${encodeURIComponent(id)}/report.json`, { apiKey });
    for (const chart of chartObjects.splice(0)) chart.destroy();
    if (!answer.ok) return replaceChildren(charts, [el('p', { class: 'status error', text: `${answer.failure.message} (${answer.failure.code})` })]);
    const report = answer.value;
    const parts: HTMLElement[] = [
      el('h2', { text: `Report: ${report.scenario.name} (seed ${report.seed})` }),
      el('p', {}, [el('a', { text: 'Open the full report', attrs: { href: `/console/reports/${encodeURIComponent(id)}/report.html`, target: '_blank', rel: 'noopener' } })]),
    ];
    for (const variant of report.variants) {
      const { metrics, timeline } = variant;
      const facts = [
        `${formatDuration(timeline.simulatedMs)} simulated (ended: ${timeline.endedBy})`,
        `${metrics.shoppers.arrivedCount} shoppers, ${(metrics.shoppers.purchaseRatio * 100).toFixed(1)} % bought, ${metrics.shoppers.walkedAwayCount} walked away`,
        `revenue ${money(metrics.money.revenueMinor, metrics.money.currency)} for ${metrics.money.soldUnits} units (${money(metrics.money.averageUnitPriceMinor, metrics.money.currency)} on average)`,
        metrics.groups ? `${metrics.groups.openedCount} groups, ${(metrics.groups.formationRatio * 100).toFixed(1)} % formed` : null,
      ];
      const grid = el('div', { class: 'chart-grid' });
      const chart = (title: string, currency: string | null, points: SeriesPoint[]): void => {
        const made = new TimeChart(title, currency);
        chartObjects.push(made);
        grid.append(el('figure', {}, [el('figcaption', { text: title }), made.element]));
        made.setPoints(points.map(([atMs, value]) => ({ atMs, value })));
        // Each series keeps its last value to the end of the run (a price set once is one point).
        made.extendTo(timeline.endedAtMs);
      };
      for (const [offerId, points] of Object.entries(metrics.series.priceMinor)) chart(`Price of ${offerId}`, metrics.money.currency, points);
      chart('Units held', null, metrics.series.heldUnits);
      chart('Units sold', null, metrics.series.soldUnits);
      chart('Live groups', null, metrics.series.liveGroups);
      parts.push(el('section', { class: 'card', attrs: { 'data-variant': variant.name } }, [el('h3', { text: `Variant ${variant.name}` }), el('ul', {}, facts.map((fact) => (fact ? el('li', { text: fact }) : null))), grid]));
    }
    replaceChildren(charts, parts);
  };

  const showRun = (run: RunState | null): void => {
    if (!run) return;
    runCard.hidden = false;
    progress.value = run.fraction;
    runStatus.dataset.state = run.state;
    if (run.state === 'running') showStatus(runStatus, 'info', `Running ${run.scenario}${run.variant ? ` (variant ${run.variant})` : ''}: ${Math.round(run.fraction * 100)} %`);
    else if (run.state === 'failed') showStatus(runStatus, 'error', `${run.scenario} failed: ${run.message ?? 'no message'}`);
    else showStatus(runStatus, 'ok', `${run.scenario} finished: report ${run.reportId}.`);
    if (run.state === 'done' && run.reportId && shownRun !== run.reportId) {
      shownRun = run.reportId;
      void showReport(run.reportId);
      void load();
    }
  };

  const poll = (): void => {
    if (poller !== null) return;
    poller = window.setInterval(() => {
      void callApi<{ run: RunState | null }>('GET', '/console/simulations/runs/current', { apiKey }).then((answer) => {
        if (!answer.ok) return showStatus(runStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
        showRun(answer.value.run);
        if (answer.value.run?.state !== 'running' && poller !== null) {
          window.clearInterval(poller);
          poller = null;
        }
      });
    }, POLL_MS);
  };

  const run = async (scenario: string): Promise<void> => {
    clearProblems(form);
    const set = overrides.value.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const seedValue = numberValue(seed);
    const answer = await callApi<{ run: RunState }>('POST', '/console/simulations/runs', { apiKey, body: { scenario, set, ...(seedValue === undefined ? {} : { seed: seedValue }) } });
    if (!answer.ok) {
      showStatus(startStatus, 'error', `Not started: ${answer.failure.message} (${answer.failure.code})`);
      return placeProblems(form, problemsOf(answer.failure), startSummary);
    }
    showStatus(startStatus, 'ok', `Started ${scenario}.`);
    showRun(answer.value.run);
    poll();
  };

  const load = async (): Promise<void> => {
    const answer = await callApi<Listing>('GET', '/console/simulations', { apiKey });
    if (!answer.ok) return showStatus(startStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
    const { scenarios, reports } = answer.value;
    replaceChildren(
      scenarioList,
      scenarios.map((scenario) =>
        el('li', { class: 'scenario' }, [
          el('strong', { text: scenario.name }),
          scenario.description ? el('p', { class: 'hint', text: scenario.description }) : null,
          button(`Run ${scenario.name}`, () => void run(scenario.name), { kind: 'primary', attrs: { 'data-action': `run:${scenario.name}` } }),
        ]),
      ),
    );
    replaceChildren(
      reportList,
      reports.length === 0
        ? [el('li', { class: 'hint', text: 'No reports yet.' })]
        : reports.map((report) =>
            el('li', { attrs: { 'data-report-id': report.id } }, [
              el('span', { text: `${report.id} · ${new Date(report.modifiedMs).toLocaleString()} ` }),
              el('a', { text: 'Open', attrs: { href: `/console/reports/${encodeURIComponent(report.id)}/report.html`, target: '_blank', rel: 'noopener' } }),
              ' ',
              button(`Charts of ${report.id}`, () => void showReport(report.id)),
            ]),
          ),
    );
    if (answer.value.run?.state === 'running') {
      showRun(answer.value.run);
      poll();
    }
  };

  replaceChildren(root, [form, runCard, charts, el('section', { class: 'card', attrs: { 'aria-label': 'Past reports' } }, [el('h2', { text: 'Past reports' }), reportList])]);
  void load();
  return () => {
    if (poller !== null) window.clearInterval(poller);
    for (const chart of chartObjects.splice(0)) chart.destroy();
  };
});
