// An offer's headline, kept live from its channel: title, status, stock, headline price and how many are watching.
// Shared by the merchant's offer page and the shopper demo, so both read the same facts the same way.
import { el } from './dom.ts';
import { money } from './format.ts';
import type { ChannelEvent, OfferView } from './wire.ts';

export class OfferHeader {
  readonly element: HTMLElement;
  private offer: OfferView | null = null;
  private readonly title = el('h2', { attrs: { 'data-testid': 'offer-title' } });
  private readonly status = el('span', { class: 'badge', attrs: { 'data-testid': 'offer-status' } });
  private readonly stock = el('span', { attrs: { 'data-testid': 'stock' } });
  private readonly price = el('span', { attrs: { 'data-testid': 'headline-price' } });
  private readonly watchers = el('span', { attrs: { 'data-testid': 'watchers' } });
  private readonly facts = el('p', { class: 'facts' });
  private readonly priceNow = el('span', {}, ['Price now: ', this.price, ' · ']);

  constructor() {
    this.element = el('header', { class: 'offer-header' }, [
      el('div', { class: 'title-row' }, [this.title, this.status]),
      el('p', { class: 'facts' }, [this.priceNow, 'Stock: ', this.stock, ' · Watching: ', this.watchers]),
      this.facts,
    ]);
  }

  get current(): OfferView | null {
    return this.offer;
  }

  setOffer(offer: OfferView): void {
    this.offer = { ...offer };
    this.render();
  }

  /** Whether the rule set's price is the offer's price: not for auctions, whose bids make theirs. */
  showPrice(shown: boolean): void {
    this.priceNow.hidden = !shown;
  }

  setWatchers(count: number): void {
    this.watchers.textContent = String(count);
    this.watchers.dataset.count = String(count);
  }

  /** Applies an offer-channel event to the headline; true when anything shown changed. */
  apply(event: ChannelEvent): boolean {
    const offer = this.offer;
    if (!offer) return false;
    switch (event.type) {
      case 'offer_edited':
        this.offer = { ...event.offer };
        break;
      case 'offer_paused':
        offer.status = 'paused';
        break;
      case 'offer_resumed':
        offer.status = 'active';
        break;
      case 'offer_closed':
        offer.status = 'closed';
        break;
      case 'stock_changed':
        Object.assign(offer, { inventory: event.inventory, heldUnits: event.heldUnits, soldUnits: event.soldUnits, availableUnits: event.availableUnits });
        break;
      case 'price_changed':
        offer.priceMinor = event.priceMinor;
        offer.ruleSetVersion = event.ruleSetVersion;
        break;
      case 'rule_set_activated':
        offer.ruleSetVersion = event.version;
        break;
      default:
        return false;
    }
    this.render();
    return true;
  }

  private render(): void {
    const offer = this.offer;
    if (!offer) return;
    this.title.textContent = offer.title;
    this.status.textContent = offer.status;
    this.status.className = `badge ${offer.status}`;
    this.stock.textContent = `${offer.availableUnits} of ${offer.inventory} available`;
    this.stock.dataset.available = String(offer.availableUnits);
    this.price.textContent = money(offer.priceMinor, offer.currency);
    this.price.dataset.priceMinor = String(offer.priceMinor);
    const limit = offer.perShopperLimit === null ? 'no limit per shopper' : `at most ${offer.perShopperLimit} per shopper`;
    this.facts.textContent = `Offer ${offer.offerId} · ${offer.mechanism.type} · list price ${money(offer.basePriceMinor, offer.currency)} · ${limit} · rule set v${offer.ruleSetVersion}`;
  }
}
