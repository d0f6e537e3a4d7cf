// A bounded list of recent channel events in words, newest first, shared by the merchant's and the shopper's
// pages. Each line says what happened and when (the event's own `atMs`, on the server's clock).
import { el } from './dom.ts';
import { clockTime, money } from './format.ts';
import { describeMechanismEvent } from './describe-mechanism-event.ts';
import type { ChannelEvent } from './wire.ts';

const LINES_MAX = 50;

export class EventLog {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  /** `atMs|text` of the latest lines, to show each fact once. */
  private readonly shown: string[] = [];

  constructor(title: string, private readonly currency: () => string) {
    this.list = el('ol', { class: 'event-log', attrs: { 'aria-live': 'polite', 'aria-relevant': 'additions' } });
    this.element = el('section', { class: 'card', attrs: { 'aria-label': title } }, [el('h3', { text: title }), this.list]);
  }

  /**
   * A page that watches an offer and its shopper's own channel gets many facts twice: the public form, and the
   * private one which, for a reservation, is the same event. A line already shown for the same moment is not
   * shown again; a private form that says more (what you were charged) reads differently, so it is.
   */
  add(event: ChannelEvent, channel: string): void {
    const text = describeEvent(event, this.currency());
    const key = `${event.atMs}|${text}`;
    if (this.shown.includes(key)) return;
    this.shown.push(key);
    if (this.shown.length > LINES_MAX) this.shown.shift();
    this.note(text, event.atMs, event.type, channel);
  }

  /** A line that is not an event (a reconnect, a resume). */
  note(text: string, atMs: number | null, kind = 'note', channel = ''): void {
    const item = el('li', { attrs: { 'data-kind': kind, 'data-channel': channel || undefined } }, [
      atMs === null ? null : el('time', { text: clockTime(atMs), attrs: { datetime: new Date(atMs).toISOString() } }),
      el('span', { text }),
    ]);
    this.list.prepend(item);
    while (this.list.children.length > LINES_MAX) this.list.lastElementChild!.remove();
  }
}

export function describeEvent(event: ChannelEvent, currency: string): string {
  const price = (minor: number) => money(minor, currency);
  switch (event.type) {
    case 'offer_created':
      return `Offer ${event.offerId} listed`;
    case 'offer_edited':
      return `Offer edited: ${event.fields.join(', ')}`;
    case 'offer_paused':
      return 'Offer paused: no new seats for now';
    case 'offer_resumed':
      return 'Offer resumed';
    case 'offer_closed':
      return event.reason === 'ended' ? 'Offer ended' : 'Offer closed by the merchant';
    case 'group_opened':
      return `${event.leaderId} opened group ${event.groupId} (${event.minSize} to form${event.newcomerOnly ? ', newcomers only' : ''})`;
    case 'group_joined':
      return `${event.shopperId} joined ${event.groupId}: ${event.size} member${event.size === 1 ? '' : 's'}, ${price(event.unitPriceMinor)} each${
        event.chargedMinor === undefined ? '' : `; you were charged ${price(event.chargedMinor)}`
      }`;
    case 'group_left':
      return `${event.shopperId} left ${event.groupId}: ${event.size} left, ${price(event.unitPriceMinor)} each${
        event.refundMinor === undefined ? '' : `; refunded ${price(event.refundMinor)}`
      }`;
    case 'group_formed':
      return `Group ${event.groupId} formed with ${event.size} members (成团)`;
    case 'group_completed': {
      const filled = event.autoFilledSeats > 0 ? `, ${event.autoFilledSeats} seats filled by the platform` : '';
      const mine = event.settlement ? `; you paid ${price(event.settlement.paidMinor)}, refunded ${price(event.settlement.refundMinor)}` : '';
      return `Group ${event.groupId} completed (${event.reason}) with ${event.size} members${filled}${mine}`;
    }
    case 'group_failed': {
      const mine = event.refund ? `; refunded ${price(event.refund.refundMinor)}` : '';
      return `Group ${event.groupId} failed (${event.reason}) with ${event.size} members${mine}`;
    }
    case 'stock_changed':
      return `Stock: ${event.availableUnits} of ${event.inventory} available (${event.heldUnits} held, ${event.soldUnits} sold)`;
    case 'rule_set_activated':
      return `Rule set version ${event.version} in force`;
    case 'price_changed':
      return `Price ${price(event.previousPriceMinor)} → ${price(event.priceMinor)} (rule set v${event.ruleSetVersion})`;
    default:
      return describeMechanismEvent(event, currency);
  }
}
