// The console's entry: reads what the server offers, starts the countdown ticker on the server's clock, and shows
// one page at a time by the address's hash (`#/merchant`, `#/merchant-offer?id=…`, `#/shopper?offer=…`), so every
// view has a link that can be bookmarked or opened in a second window. Pages live in web/pages/.
import type { AppContext, ConsoleConfig, Page } from './app-context.ts';
import { el, replaceChildren } from './dom.ts';
import { merchantOfferPage } from './pages/merchant-offer.ts';
import { merchantOffersPage } from './pages/merchant-offers.ts';
import { shopperPage } from './pages/shopper.ts';
import { simulationsPage } from './pages/simulations.ts';
import { ServerClock, startCountdowns } from './server-clock.ts';

interface Route {
  page: Page;
  title: string;
  /** The nav entry this route belongs to. */
  nav: string;
}

// Auctions and reservation queues add their pages through web/mechanisms/, not here.
const ROUTES: Record<string, Route> = {
  '': { page: homePage, title: 'tuan console', nav: '' },
  merchant: { page: merchantOffersPage, title: 'Merchant console', nav: 'merchant' },
  'merchant-offer': { page: merchantOfferPage, title: 'Offer (live)', nav: 'merchant' },
  shopper: { page: shopperPage, title: 'Shopper demo', nav: 'shopper' },
  simulations: { page: simulationsPage, title: 'Simulations', nav: 'simulations' },
};

const NAV: readonly (readonly [name: string, text: string])[] = [
  ['merchant', 'Merchant console'],
  ['shopper', 'Shopper demo'],
  ['simulations', 'Simulations'],
];

async function readConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch('/console/config.json');
    if (response.ok) return (await response.json()) as ConsoleConfig;
  } catch {
    // Shown as the defaults below; every page still reports the server's own refusals.
  }
  return { devTokens: false, effects: false, protocolVersion: 1 };
}

function homePage(root: HTMLElement): () => void {
  replaceChildren(root, [
    el('section', { class: 'card' }, [
      el('h2', { text: 'Watch the live market' }),
      el('p', { text: 'Merchants list offers, set pricing rules and watch groups form; shoppers open, join and get matched into groups, with prices and countdowns live; simulations run whole shopper populations in seconds.' }),
      el('div', { class: 'actions' }, [
        el('a', { class: 'btn primary', text: 'Merchant console', attrs: { href: '#/merchant' } }),
        el('a', { class: 'btn secondary', text: 'Shopper demo', attrs: { href: '#/shopper' } }),
        el('a', { class: 'btn secondary', text: 'Simulations', attrs: { href: '#/simulations' } }),
      ]),
    ]),
  ]);
  return () => undefined;
}

async function start(): Promise<void> {
  const clock = new ServerClock();
  const app: AppContext = { clock, wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, config: await readConfig() };
  startCountdowns(clock);
  const main = document.getElementById('view')!;
  const nav = document.getElementById('nav')!;
  replaceChildren(
    nav,
    NAV.map(([name, text]) => el('a', { text, attrs: { href: `#/${name}`, 'data-nav': name } })),
  );
  let teardown: (() => void) | null = null;

  const show = (moveFocus: boolean): void => {
    teardown?.();
    const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
    const route = ROUTES[path] ?? ROUTES['']!;
    for (const link of nav.querySelectorAll<HTMLElement>('a')) {
      if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${route.title} · tuan`;
    const view = el('div', { class: 'page', attrs: { 'data-page': path || 'home' } });
    main.replaceChildren(view);
    teardown = route.page(view, new URLSearchParams(query), app);
    // After following a link, start reading (and tabbing) at the new page, not at the link that is gone.
    if (moveFocus && !view.contains(document.activeElement)) main.focus();
  };
  window.addEventListener('hashchange', () => show(true));
  show(false);
}

void start();
