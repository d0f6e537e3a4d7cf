// A shopper's visit end to end, against a running server (`npm start` in another terminal):
//   npx tsx examples/shopper-client.ts [--url http://127.0.0.1:8080] [--offer demo-tea] [--shopper alice] [--friends 4]
// It gets a token (TUAN_TOKEN, or the development endpoint), asks for a quote, connects, watches the offer and its
// own channel, is matched into a group, then has `--friends` friends join by the invite link (the group id) and
// prints every live delta until the group settles. Countdowns use the server's clock, not this machine's.
import { parseArgs } from 'node:util';
import { money, reportFailure, serverUrls, Session, shopperToken } from './session.ts';

const USAGE = 'usage: npx tsx examples/shopper-client.ts [--url http://127.0.0.1:8080] [--offer demo-tea] [--shopper alice] [--friends 0..20]';
const FRIENDS_MAX = 20;

/** Command-line options; a mistake prints the usage line instead of a stack trace. */
function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:8080' },
        offer: { type: 'string', default: 'demo-tea' },
        shopper: { type: 'string', default: 'alice' },
        friends: { type: 'string', default: '4' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const friendCount = Number(values.friends);
  if (!Number.isInteger(friendCount) || friendCount < 0 || friendCount > FRIENDS_MAX) {
    console.error(`--friends must be a whole number from 0 to ${FRIENDS_MAX}, not "${values.friends}"\n${USAGE}`);
    process.exit(2);
  }
  return { ...values, friendCount };
}

const values = readOptions();
const { httpUrl, wsUrl } = serverUrls(values.url);
const offerId = values.offer;
const friendCount = values.friendCount;

async function tokenFor(shopperId: string): Promise<string> {
  return shopperToken(httpUrl, shopperId, { newcomer: shopperId !== values.shopper }, shopperId === values.shopper ? process.env.TUAN_TOKEN : undefined);
}

function describe(event: Record<string, unknown>, session: Session): string {
  const serverNow = session.serverNowMs();
  switch (event.type) {
    case 'group_opened':
      return `group ${String(event.groupId)} opened by ${String(event.leaderId)}; ${Math.round((Number(event.deadlineMs) - serverNow) / 1000)} s to form`;
    case 'group_joined':
      return (
        `${String(event.shopperId)} joined ${String(event.groupId)}: ${String(event.size)} members, price now ${money(event.unitPriceMinor)}` +
        (event.chargedMinor === undefined ? '' : `; charged ${money(event.chargedMinor)}`)
      );
    case 'group_formed':
      return `group ${String(event.groupId)} formed with ${String(event.size)} members (成团)`;
    case 'group_completed':
      return `group ${String(event.groupId)} completed (${String(event.reason)}) with ${String(event.size)} members`;
    case 'stock_changed':
      return `stock: ${String(event.availableUnits)} of ${String(event.inventory)} left`;
    default:
      return JSON.stringify(event);
  }
}

async function main(): Promise<void> {
  const quote = await fetch(`${httpUrl}/v1/offers/${offerId}/quote?asLeader=true`);
  const quoted = (await quote.json()) as { quote?: { unitPriceMinor: number; currency: string }; error?: { message: string } };
  if (!quoted.quote) throw new Error(`no quote for ${offerId}: ${quoted.error?.message ?? quote.status}`);
  console.log(`quote for leading a group of ${offerId}: ${money(quoted.quote.unitPriceMinor)} ${quoted.quote.currency}`);

  let settled: () => void = () => {};
  const done = new Promise<void>((resolve) => (settled = resolve));
  const me: Session = await Session.open(wsUrl, values.shopper, (message) => {
    if (message.type === 'delta') {
      const event = message.event as Record<string, unknown>;
      console.log(`  [${String(message.channel)} #${String(message.offset)}] ${describe(event, me)}`);
      if (message.channel === `shopper:${values.shopper}` && (event.type === 'group_completed' || event.type === 'group_failed')) {
        const settlement = (event.settlement ?? event.refund) as Record<string, unknown>;
        console.log(`  my settlement: paid ${money(settlement.paidMinor ?? 0)}, refunded ${money(settlement.refundMinor)}`);
        settled();
      }
    } else if (message.type === 'presence') {
      console.log(`  [${String(message.channel)}] ${String(message.watchers)} watching`);
    }
  });
  await me.must({ type: 'authenticate', token: await tokenFor(values.shopper) });
  const offer = await me.must({ type: 'subscribe', channel: `offer:${offerId}` });
  const snapshot = offer.snapshot as { offer: { title: string; availableUnits: number }; groups: unknown[] };
  console.log(`watching "${snapshot.offer.title}": ${snapshot.offer.availableUnits} units, ${snapshot.groups.length} live groups (epoch ${String(offer.epoch)}, offset ${String(offer.offset)})`);
  await me.must({ type: 'subscribe', channel: `shopper:${values.shopper}` });

  const matched = await me.must({ type: 'match_group', offerId, idempotencyKey: `visit-${Date.now()}` });
  const result = matched.result as { groupId: string; opened: boolean; chargedMinor: number };
  console.log(`${result.opened ? 'opened' : 'joined'} group ${result.groupId}; charged ${money(result.chargedMinor)} up front (the most I will pay)`);

  const friends: Session[] = [];
  for (let i = 1; i <= friendCount; i++) {
    const friend = await Session.open(wsUrl, `${values.shopper}-friend-${i}`);
    await friend.must({ type: 'authenticate', token: await tokenFor(friend.name) });
    const joined = await friend.request({ type: 'join_group', groupId: result.groupId });
    if (joined.type === 'error') console.log(`  ${friend.name} could not join: ${String(joined.code)}`);
    friends.push(friend);
  }
  console.log(friendCount > 0 ? 'waiting for the group to settle (Ctrl-C to stop)…' : 'waiting for live changes (Ctrl-C to stop)…');
  await done;
  for (const session of [me, ...friends]) session.close();
}

main().catch(reportFailure(httpUrl));
