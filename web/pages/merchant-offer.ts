// One offer, live, for its merchant: the headline (status, stock, price, watchers), the price over time, the
// mechanism's live panel (groups forming with countdowns), recent events, and the forms that change the offer:
// pause / resume / close, edit, and the rule set with its preview. Effects (dead letters, webhook endpoint) below.
import type { AppContext, Page } from '../app-context.ts';
import { TimeChart } from '../charts.ts';
import { showConnection } from '../connection-status.ts';
import { button, el, replaceChildren, showStatus, statusLine } from '../dom.ts';
import { effectsPanel } from '../effects-panel.ts';
import { EventLog } from '../event-log.ts';
import { callApi, RetryKeys } from '../http-api.ts';
import { LiveConnection } from '../live-connection.ts';
import { mechanismFor, type MerchantPanel } from '../mechanisms/index.ts';
import { OfferHeader } from '../offer-header.ts';
import { offerEditForm } from '../offer-edit-form.ts';
import { ruleSetPanel } from '../rule-set-panel.ts';
import type { ChannelEvent, OfferSnapshot, OfferView } from '../wire.ts';
import { merchantKey, requireMerchant } from './merchant-session.ts';

interface PriceHistory {
  points: { atMs: number; priceMinor: number }[];
}

const CHART_EXTEND_EVERY_MS = 5_000;

export const merchantOfferPage: Page = requireMerchant((root, params, app) => {
  const apiKey = merchantKey()!;
  const offerId = params.get('id') ?? '';
  const back = el('a', { text: '← Your offers', attrs: { href: '#/merchant' } });
  const loading = el('p', { class: 'status info', text: `Loading ${offerId}…`, attrs: { role: 'status' } });
  replaceChildren(root, [back, loading]);
  let teardown: () => void = () => undefined;
  let stopped = false;

  void callApi<{ offer: OfferView }>('GET', `/v1/offers/${encodeURIComponent(offerId)}`, { apiKey }).then((answer) => {
    if (stopped) return;
    if (!answer.ok) {
      loading.className = 'status error';
      loading.textContent = `Cannot open offer "${offerId}": ${answer.failure.message} (${answer.failure.code})`;
      return;
    }
    teardown = mountOffer(root, back, answer.value.offer, apiKey, app);
  });
  return () => {
    stopped = true;
    teardown();
  };
});

function mountOffer(root: HTMLElement, back: HTMLElement, offer: OfferView, apiKey: string, app: AppContext): () => void {
  const offerPath = `/v1/offers/${encodeURIComponent(offer.offerId)}`;
  const header = new OfferHeader();
  header.setOffer(offer);
  const connectionLine = statusLine();
  connectionLine.dataset.testid = 'connection-status';
  const log = new EventLog('Recent events', () => header.current?.currency ?? offer.currency);
  const chart = new TimeChart('Price', offer.currency);
  const mechanism = mechanismFor(offer.mechanism.type);
  const keys = new RetryKeys();
  const actionStatus = statusLine();
  actionStatus.dataset.testid = 'offer-action-status';

  const offerAction = async (action: 'pause' | 'resume' | 'close'): Promise<void> => {
    if (action === 'close' && !window.confirm(`Close ${offer.offerId}? Formed groups complete now, open ones fail and are refunded. This cannot be undone.`)) return;
    const key = keys.key(action);
    const answer = await callApi<{ offer: OfferView }>('POST', `${offerPath}/${action}`, { apiKey, body: {}, idempotencyKey: key });
    keys.settle(action, key, answer.ok ? null : answer.failure.code);
    if (answer.ok) showStatus(actionStatus, 'ok', `Offer is ${answer.value.offer.status}.`);
    else showStatus(actionStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
  };

  const connection = new LiveConnection({
    url: app.wsUrl,
    clock: app.clock,
    credential: async () => ({ apiKey }),
    onStatus: (status) => showConnection(connectionLine, status),
    onNotice: (failure) => log.note(`${failure.message} (${failure.code})`, app.clock.now()),
  });
  let panel: MerchantPanel | null = null;
  if (mechanism) panel = mechanism.merchantPanel({ offer, connection, clock: app.clock });
  // Where bids make the price (auctions), the rule set's price over time says nothing: the panel shows the bids.
  const ruleSetPriced = mechanism?.shopperPrice(offer) !== null;
  header.showPrice(ruleSetPriced);

  const onEvent = (event: ChannelEvent): void => {
    header.apply(event);
    log.add(event, 'offer');
    panel?.offerEvent(event);
    if (event.type === 'price_changed') {
      chart.add({ atMs: event.atMs, value: event.priceMinor });
      chart.extendTo(app.clock.now());
    }
  };

  connection.watch(`offer:${offer.offerId}`, {
    onSnapshot: (snapshot, afterReconnect) => {
      const offerSnapshot = snapshot as OfferSnapshot;
      header.setOffer(offerSnapshot.offer);
      panel?.offerSnapshot(offerSnapshot);
      if (afterReconnect) log.note('Reconnected: refreshed from a fresh snapshot (the missed updates were no longer kept).', app.clock.now(), 'resynced');
    },
    onEvent,
    onWatchers: (count) => header.setWatchers(count),
    onResumed: (offset) => log.note(`Reconnected and resumed at update #${offset}.`, app.clock.now(), 'resumed'),
    onRefused: (failure) => log.note(`Live updates unavailable: ${failure.message} (${failure.code})`, app.clock.now()),
  });
  connection.start();

  void callApi<PriceHistory>('GET', `${offerPath}/price-history?limit=256`, { apiKey }).then((answer) => {
    if (!answer.ok) return log.note(`Price history unavailable: ${answer.failure.message} (${answer.failure.code})`, app.clock.now());
    chart.setPoints(answer.value.points.map((point) => ({ atMs: point.atMs, value: point.priceMinor })));
    chart.extendTo(app.clock.now());
  });
  const extender = window.setInterval(() => chart.extendTo(app.clock.now()), CHART_EXTEND_EVERY_MS);

  const actions = el('div', { class: 'actions' }, [
    button('Pause', () => void offerAction('pause')),
    button('Resume', () => void offerAction('resume')),
    button('Close offer', () => void offerAction('close'), { kind: 'danger' }),
    el('a', { class: 'btn secondary', text: 'Open the shopper demo for this offer', attrs: { href: `#/shopper?offer=${encodeURIComponent(offer.offerId)}`, target: '_blank', rel: 'noopener' } }),
  ]);

  replaceChildren(root, [
    back,
    el('div', { class: 'session-bar' }, [el('span', { text: 'Live view' }), connectionLine]),
    header.element,
    actions,
    actionStatus,
    el('div', { class: 'columns' }, [
      el('div', {}, [
        ruleSetPriced ? el('section', { class: 'card', attrs: { 'aria-label': 'Price over time' } }, [el('h3', { text: 'Price over time' }), chart.element]) : null,
        panel?.element ?? el('p', { class: 'status error', text: `This console cannot show "${offer.mechanism.type}" offers yet.` }),
      ]),
      log.element,
    ]),
    offerEditForm(offer, apiKey),
    ruleSetPriced ? ruleSetPanel(offer, apiKey, app, () => header.current ?? offer) : null,
    effectsPanel(apiKey, app.config),
  ]);

  return () => {
    window.clearInterval(extender);
    panel?.destroy();
    chart.destroy();
    connection.close();
  };
}
