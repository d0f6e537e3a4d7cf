// The shopper's side of a group-buy: be matched, open a group or join one from the live list, see the seats and
// members of one's own groups with a countdown on the server's clock, leave before a group forms, and read how
// each group settled. Every refusal shows the server's message next to the button that caused it.
import { button, el, field, numberInput, numberValue, preservingFocus, replaceChildren, statusLine, StatusLines, textInput } from '../dom.ts';
import { money } from '../format.ts';
import { CommandActions } from '../command-action.ts';
import { refreshCountdowns } from '../server-clock.ts';
import type { ChannelEvent, GroupSnapshot, OfferSnapshot, ShopperSnapshot } from '../wire.ts';
import { GroupBook, seatsText } from './group-state.ts';
import type { ShopperEnv, ShopperPanel } from './index.ts';

interface MySeat {
  groupId: string;
  qty: number;
  chargedMinor: number;
  quotedUnitPriceMinor: number;
  /** From the group's own channel: members in join order. */
  members: string[] | null;
}

const RESULTS_MAX = 5;

export function groupShopperPanel(env: ShopperEnv): ShopperPanel {
  const { connection, shopperId } = env;
  let currency = env.offer.currency;
  const book = new GroupBook();
  const mine = new Map<string, MySeat>();
  const actions = new CommandActions(connection);
  const lines = new StatusLines();

  const qty = numberInput(1, { min: 1 });
  const inviteId = textInput('', { placeholder: 'optional', autocomplete: 'off' });
  const actionStatus = statusLine();
  actionStatus.dataset.testid = 'action-status';
  const groupsBody = el('ul', { class: 'group-list', attrs: { 'aria-label': 'Open groups' } });
  const mineBody = el('div', { class: 'my-groups' });
  const results = el('ul', { class: 'results', attrs: { 'aria-label': 'Settled groups' } });

  /** Runs a command and shows its outcome in `line`; a seat taken or given up changes the price this shopper sees. */
  const act = async (action: string, message: Record<string, unknown>, line: HTMLElement, success: (result: Record<string, unknown>) => string): Promise<void> => {
    const outcome = await actions.run(action, message, line, success);
    if (outcome.ok) env.onPriceMayHaveChanged();
  };

  const joined = (result: Record<string, unknown>): string => {
    const quote = result.quote as { unitPriceMinor: number } | undefined;
    const verb = result.opened === true ? 'You opened group' : 'You joined group';
    const at = quote ? `; you pay at most ${money(quote.unitPriceMinor, currency)} a unit, less if the group grows` : '';
    return `${verb} ${String(result.groupId)}: charged ${money(Number(result.chargedMinor ?? 0), currency)}${at}.`;
  };

  const qtyValue = (): number | undefined => numberValue(qty);
  const match = button('Match me into a group', () => void act(`match:${qtyValue()}`, { type: 'match_group', offerId: env.offer.offerId, qty: qtyValue() }, actionStatus, joined), { kind: 'primary' });
  const open = button('Open a new group', () => {
    const groupId = inviteId.value.trim();
    void act(`open:${groupId}:${qtyValue()}`, { type: 'open_group', offerId: env.offer.offerId, qty: qtyValue(), ...(groupId ? { groupId } : {}) }, actionStatus, joined);
  });

  const renderGroups = (): void => {
    const groups = book.list();
    replaceChildren(
      groupsBody,
      groups.length === 0
        ? [el('li', { class: 'hint', text: 'No open group yet: match or open one.' })]
        : groups.map((group) => {
            const line = lines.for(`join:${group.groupId}`);
            const isMine = mine.has(group.groupId);
            return el('li', { class: 'group-item', attrs: { 'data-group-id': group.groupId, 'data-status': group.status } }, [
              el('div', { class: 'group-head' }, [
                el('strong', { text: group.groupId }),
                el('span', { class: `badge ${group.status}`, text: group.status }),
                group.newcomerOnly ? el('span', { class: 'badge', text: 'newcomers only' }) : null,
              ]),
              el('p', { text: `Led by ${group.leaderId} · ${seatsText(group)} · ${money(group.unitPriceMinor, currency)} each` }),
              el('p', {}, ['Time left: ', el('span', { class: 'countdown', attrs: { 'data-deadline-ms': group.deadlineMs } })]),
              isMine
                ? el('p', { class: 'hint', text: 'You are in this group.' })
                : button(`Join ${group.groupId}`, () => void act(`join:${group.groupId}:${qtyValue()}`, { type: 'join_group', groupId: group.groupId, qty: qtyValue() }, line, joined), {
                    attrs: { 'data-action': `join:${group.groupId}` },
                  }),
              line,
            ]);
          }),
    );
    refreshCountdowns(groupsBody);
  };

  const renderMine = (): void => {
    const seats = [...mine.values()];
    replaceChildren(
      mineBody,
      seats.length === 0
        ? [el('p', { class: 'hint', text: 'You hold no seat in this offer yet.' })]
        : seats.map((seat) => {
            const group = book.get(seat.groupId);
            const line = lines.for(`leave:${seat.groupId}`);
            return el('article', { class: 'my-group', attrs: { 'data-group-id': seat.groupId } }, [
              el('h4', { text: `Group ${seat.groupId}` }),
              group ? el('p', { text: `${seatsText(group)} · ${money(group.unitPriceMinor, currency)} each now` }) : null,
              group ? el('p', {}, ['Time left: ', el('span', { class: 'countdown', attrs: { 'data-deadline-ms': group.deadlineMs } })]) : null,
              el('p', { text: `Your seat: ${seat.qty} unit${seat.qty === 1 ? '' : 's'}, charged ${money(seat.chargedMinor, currency)} (at most ${money(seat.quotedUnitPriceMinor, currency)} a unit)` }),
              seat.members ? el('p', { class: 'members', text: `Members: ${seat.members.join(', ')}` }) : null,
              el('p', { class: 'hint', text: `Invite friends with the group id "${seat.groupId}".` }),
              group?.status === 'open'
                ? button(
                    `Leave ${seat.groupId}`,
                    () => void act(`leave:${seat.groupId}`, { type: 'leave_group', groupId: seat.groupId }, line, (r) => `You left; refunded ${money(Number(r.refundMinor ?? 0), currency)}.`),
                    { attrs: { 'data-action': `leave:${seat.groupId}` } },
                  )
                : null,
              line,
            ]);
          }),
    );
    refreshCountdowns(mineBody);
  };

  const render = (): void => {
    preservingFocus(groupsBody, renderGroups);
    preservingFocus(mineBody, renderMine);
  };

  /** Watches a group of ours for its member list; a settled group's channel is refused, which is fine. */
  const watchGroup = (groupId: string): void => {
    const channel = `group:${groupId}`;
    if (connection.watching(channel)) return;
    connection.watch(channel, {
      onSnapshot(snapshot) {
        const seat = mine.get(groupId);
        if (seat) seat.members = (snapshot as GroupSnapshot).group.members;
        preservingFocus(mineBody, renderMine);
      },
      onEvent(event) {
        const seat = mine.get(groupId);
        if (!seat?.members) return;
        if (event.type === 'group_joined' && !seat.members.includes(event.shopperId)) seat.members.push(event.shopperId);
        if (event.type === 'group_left') seat.members = seat.members.filter((member) => member !== event.shopperId);
        preservingFocus(mineBody, renderMine);
      },
      onRefused() {},
    });
  };

  const dropSeat = (groupId: string): void => {
    mine.delete(groupId);
    connection.unwatch(`group:${groupId}`);
  };

  const addResult = (text: string, kind: string): void => {
    results.prepend(el('li', { text, attrs: { 'data-kind': kind } }));
    while (results.children.length > RESULTS_MAX) results.lastElementChild!.remove();
  };

  const element = el('div', { class: 'mechanism group-buy' }, [
    el('section', { class: 'card', attrs: { 'aria-label': 'Join a group' } }, [
      el('h3', { text: 'Join a group' }),
      el('div', { class: 'grid' }, [field('Units', qty, { path: 'qty' }).wrapper, field('Invite id for a new group', inviteId, { path: 'groupId' }).wrapper]),
      el('div', { class: 'actions' }, [match, open]),
      actionStatus,
    ]),
    el('section', { class: 'card', attrs: { 'aria-label': 'Your groups' } }, [el('h3', { text: 'Your groups' }), mineBody, results]),
    el('section', { class: 'card', attrs: { 'aria-label': 'Open groups' } }, [el('h3', { text: 'Open groups' }), groupsBody]),
  ]);
  render();

  return {
    element,
    offerSnapshot(snapshot: OfferSnapshot) {
      currency = snapshot.offer.currency;
      book.reset(snapshot.groups);
      render();
    },
    offerEvent(event: ChannelEvent) {
      if (book.apply(event)) render();
    },
    shopperSnapshot(snapshot: ShopperSnapshot) {
      for (const groupId of [...mine.keys()]) dropSeat(groupId);
      for (const membership of snapshot.memberships) {
        if (membership.offerId !== env.offer.offerId) continue;
        mine.set(membership.groupId, { ...membership, members: null });
        watchGroup(membership.groupId);
      }
      render();
    },
    shopperEvent(event: ChannelEvent) {
      switch (event.type) {
        case 'group_joined':
          if (event.shopperId !== shopperId) return;
          mine.set(event.groupId, {
            groupId: event.groupId,
            qty: event.qty,
            chargedMinor: event.chargedMinor ?? 0,
            quotedUnitPriceMinor: event.quotedUnitPriceMinor ?? event.unitPriceMinor,
            members: mine.get(event.groupId)?.members ?? null,
          });
          watchGroup(event.groupId);
          break;
        case 'group_left':
          if (event.shopperId === shopperId) dropSeat(event.groupId);
          break;
        case 'group_completed':
          dropSeat(event.groupId);
          if (event.settlement) {
            addResult(`Group ${event.groupId} completed: you paid ${money(event.settlement.paidMinor, currency)} and got ${money(event.settlement.refundMinor, currency)} back.`, 'completed');
          }
          break;
        case 'group_failed':
          dropSeat(event.groupId);
          addResult(`Group ${event.groupId} did not form (${event.reason}): refunded ${money(event.refund?.refundMinor ?? 0, currency)}.`, 'failed');
          break;
        default:
          return;
      }
      render();
    },
    destroy() {
      for (const groupId of [...mine.keys()]) dropSeat(groupId);
    },
  };
}
