// A shopper's visit end to end, against a running server (`npm start` in another terminal):
//   npx tsx examples/shopper-client.ts [--url http://127.0.0.1:8080] [--offer demo-tea] [--shopper alice] [--friends 4]
// It gets a token (TUAN_TOKEN, or the development endpoint), asks for a quote, connects, watches the offer and its
// own channel, is matched into a group, then has `--friends` friends join by the invite link (the group id) and
// prints every live delta until the group settles. Countdowns use the server's clock, not this machine's.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

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
const httpUrl = values.url.replace(/\/$/, '');
const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/ws`;
const offerId = values.offer;
const friendCount = values.friendCount;

type ServerMessage = Record<string, unknown> & { type: string };

/** One socket with request/answer matching: every request carries a requestId, every answer echoes it. */
class Session {
  private next = 0;
  private readonly waiting = new Map<string, (message: ServerMessage) => void>();
  /** Server clock minus ours, from the latest message stamped with `serverTimeMs`. */
  clockOffsetMs = 0;

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
    onPush: (message: ServerMessage) => void,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (typeof message.serverTimeMs === 'number') this.clockOffsetMs = message.serverTimeMs - Date.now();
      const requestId = message.requestId;
      if (typeof requestId === 'string' && this.waiting.has(requestId)) {
        this.waiting.get(requestId)!(message);
        this.waiting.delete(requestId);
      } else {
        onPush(message);
      }
    });
  }

  static open(name: string, onPush: (message: ServerMessage) => void = () => {}): Promise<Session> {
    const socket = new WebSocket(wsUrl, ['tuan.v1']);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Session(name, socket, onPush)));
      socket.once('error', reject);
    });
  }

  request(message: Record<string, unknown>): Promise<ServerMessage> {
    const requestId = `${this.name}-${++this.next}`;
    return new Promise((resolve) => {
      this.waiting.set(requestId, resolve);
      this.socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  async must(message: Record<string, unknown>): Promise<ServerMessage> {
    const answer = await this.request(message);
    if (answer.type === 'error') throw new Error(`${this.name}: ${String(message.type)} refused: ${String(answer.code)}: ${String(answer.message)}`);
    return answer;
  }

  close(): void {
    this.socket.close(1000);
  }
}

async function tokenFor(shopperId: string): Promise<string> {
  if (shopperId === values.shopper && process.env.TUAN_TOKEN) return process.env.TUAN_TOKEN;
  const response = await fetch(`${httpUrl}/dev/shopper-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ shopperId, newcomer: shopperId !== values.shopper }),
  });
  if (!response.ok) throw new Error(`no development tokens here (${response.status}); set TUAN_TOKEN to a token from gateway/mint-token.ts`);
  return ((await response.json()) as { token: string }).token;
}

const money = (minor: unknown) => (typeof minor === 'number' ? (minor / 100).toFixed(2) : '?');

function describe(event: Record<string, unknown>, session: Session): string {
  const serverNow = Date.now() + session.clockOffsetMs;
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
  const me = await Session.open(values.shopper, (message) => {
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
    const friend = await Session.open(`${values.shopper}-friend-${i}`);
    await friend.must({ type: 'authenticate', token: await tokenFor(friend.name) });
    const joined = await friend.request({ type: 'join_group', groupId: result.groupId });
    if (joined.type === 'error') console.log(`  ${friend.name} could not join: ${String(joined.code)}`);
    friends.push(friend);
  }
  console.log(friendCount > 0 ? 'waiting for the group to settle (Ctrl-C to stop)…' : 'waiting for live changes (Ctrl-C to stop)…');
  await done;
  for (const session of [me, ...friends]) session.close();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // fetch says only "fetch failed" when nothing listens: say where it looked and what to start.
  console.error(message === 'fetch failed' ? `cannot reach ${httpUrl}: is the server running (npm start)?` : message);
  process.exit(1);
});
