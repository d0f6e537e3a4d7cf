// A bidding war between two shoppers, against a running server (`npm start` in another terminal):
//   npx tsx examples/auction-client.ts [--url http://127.0.0.1:8080] [--offer demo-watch]
//       [--bidders alice:30000,bob:25000] [--raise 2000] [--until-close]
// Each bidder has a ceiling (minor units). English: they take turns raising their hidden maximum (a proxy bid) to
// the public price plus `--raise`, never past their ceiling, until one of them stops; the engine bids for each up
// to its maximum, so a raise below the leader's maximum is outbid at once. Sealed kinds (vickrey, uniform): each
// bids its ceiling once. Dutch: the first bidder accepts the clock once it falls to its ceiling. Every live price,
// soft-close extension and private outbid notice is printed; with `--until-close` it waits for the close and prints
// what each bidder won.
import { parseArgs } from 'node:util';
import { getJson, money, reportFailure, serverUrls, Session, shopperToken, type ServerMessage } from './session.ts';

const USAGE =
  'usage: npx tsx examples/auction-client.ts [--url http://127.0.0.1:8080] [--offer demo-watch] [--bidders alice:30000,bob:25000] [--raise 2000] [--until-close]';
const BIDS_MAX = 200;

interface Bidder {
  name: string;
  ceilingMinor: number;
  maxBidMinor: number;
  session: Session;
  /** Resolves when this bidder has heard the close: its own result if it bid, else the public close. */
  heardClose: Promise<void>;
}

interface AuctionView {
  kind: 'english' | 'vickrey' | 'uniform' | 'dutch';
  status: 'open' | 'closed';
  priceMinor: number | null;
  minimumBidMinor: number | null;
  endMs: number | null;
  outcome: { reason: string; clearingPriceMinor: number | null } | null;
}

/** Command-line options; a mistake prints the usage line instead of a stack trace. */
function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:8080' },
        offer: { type: 'string', default: 'demo-watch' },
        bidders: { type: 'string', default: 'alice:30000,bob:25000' },
        raise: { type: 'string', default: '2000' },
        'until-close': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const bidders = values.bidders.split(',').map((entry) => {
    const [name, ceiling] = entry.split(':');
    return { name: name ?? '', ceilingMinor: Number(ceiling) };
  });
  const raiseMinor = Number(values.raise);
  if (bidders.length !== 2 || bidders.some((b) => !/^[A-Za-z0-9_.:-]{1,64}$/.test(b.name) || !Number.isInteger(b.ceilingMinor) || b.ceilingMinor < 1)) {
    console.error(`--bidders must be two name:ceilingMinor pairs, e.g. alice:30000,bob:25000\n${USAGE}`);
    process.exit(2);
  }
  if (!Number.isInteger(raiseMinor) || raiseMinor < 1) {
    console.error(`--raise must be a positive whole number of minor units\n${USAGE}`);
    process.exit(2);
  }
  return { ...values, bidderSpecs: bidders, raiseMinor };
}

const options = readOptions();
const { httpUrl, wsUrl } = serverUrls(options.url);
const offerId = options.offer;
const offerChannel = `offer:${offerId}`;

const auctionView = async (): Promise<AuctionView> => (await getJson<{ auction: AuctionView }>(`${httpUrl}/v1/offers/${offerId}/auction`)).auction;

function describe(event: Record<string, unknown>, session: Session): string {
  switch (event.type) {
    case 'bid_placed':
      if (event.outbidShopperId !== undefined) return `you were outbid: bidder #${String(event.leaderNo)} leads at ${money(event.priceMinor)}`;
      if (event.bidMinor !== undefined) return `your maximum is now ${money(event.bidMinor)}; price ${money(event.priceMinor)}, bidder #${String(event.leaderNo)} leads`;
      return event.priceMinor === null
        ? `sealed bid from bidder #${String(event.bidderNo)} (${String(event.bidders)} bidders)`
        : `price ${money(event.priceMinor)}: bidder #${String(event.leaderNo)} leads (${String(event.bids)} bids${event.reserveMet ? '' : ', reserve not met'})`;
    case 'auction_extended':
      return `soft close: the end moved to ${Math.round((Number(event.endMs) - session.serverNowMs()) / 1000)} s from now (extension ${String(event.extensionsUsed)})`;
    case 'auction_price_dropped':
      return `clock: ${money(event.priceMinor)}`;
    case 'auction_closed': {
      const won = event.won as { paidMinor: number; orderId: string } | null | undefined;
      if (won !== undefined) return won === null ? 'closed: you won nothing' : `closed: you won, paying ${money(won.paidMinor)} (order ${won.orderId})`;
      return `closed (${String(event.reason)}): ${event.clearingPriceMinor === null ? 'nothing sold' : `sold at ${money(event.clearingPriceMinor)}`}`;
    }
    case 'offer_closed':
      return `offer closed (${String(event.reason)})`;
    case 'stock_changed':
      return `units sold: ${String(event.soldUnits)} of ${String(event.inventory)}`;
    default:
      return JSON.stringify(event);
  }
}

async function openBidder(name: string, ceilingMinor: number, printOffer: boolean): Promise<Bidder> {
  let heard: () => void = () => {};
  const heardClose = new Promise<void>((resolve) => (heard = resolve));
  const session: Session = await Session.open(wsUrl, name, (message: ServerMessage) => {
    if (message.type !== 'delta') return;
    const event = message.event as Record<string, unknown>;
    const own = message.channel === `shopper:${name}`;
    // The offer channel is shown once (through the first bidder); each bidder shows its own channel.
    if (own || printOffer) console.log(`  ${own ? `[${name}]` : '[offer] '} ${describe(event, session)}`);
    if (event.type === 'auction_closed' && (own || bidder.maxBidMinor === 0)) heard();
  });
  await session.must({ type: 'authenticate', token: await shopperToken(httpUrl, name, {}, name === options.bidderSpecs[0]!.name ? process.env.TUAN_TOKEN : undefined) });
  await session.must({ type: 'subscribe', channel: `shopper:${name}` });
  await session.must({ type: 'subscribe', channel: offerChannel });
  const bidder: Bidder = { name, ceilingMinor, maxBidMinor: 0, session, heardClose };
  return bidder;
}

/** English: the bidder who does not lead raises to the price plus `raise`, until its ceiling stops it. */
async function englishWar(bidders: [Bidder, Bidder]): Promise<void> {
  let active = bidders[0];
  for (let bids = 0; bids < BIDS_MAX; bids++) {
    const view = await auctionView();
    if (view.status !== 'open' || view.minimumBidMinor === null) return;
    const wanted = Math.max(view.minimumBidMinor, (view.priceMinor ?? 0) + options.raiseMinor);
    const next = Math.min(active.ceilingMinor, wanted);
    if (next < view.minimumBidMinor || next <= active.maxBidMinor) {
      console.log(`${active.name} stops: ${money(view.minimumBidMinor)} is past its ceiling of ${money(active.ceilingMinor)}`);
      return;
    }
    const answer = await active.session.request({ type: 'place_bid', offerId, maxBidMinor: next });
    if (answer.type === 'error') {
      console.log(`${active.name}: ${String(answer.code)}: ${String(answer.message)}`);
      if (answer.code !== 'bid_too_low') return;
      continue;
    }
    active.maxBidMinor = next;
    const ack = (answer.result as { auction: { leading: boolean; priceMinor: number } }).auction;
    console.log(`${active.name} bids up to ${money(next)}: ${ack.leading ? 'leads' : 'outbid at once by a higher maximum'} at ${money(ack.priceMinor)}`);
    if (ack.leading) active = active === bidders[0] ? bidders[1] : bidders[0];
  }
}

/** Dutch: the first bidder takes the unit as soon as the clock is at or below its ceiling. */
async function acceptWhenCheap(bidder: Bidder): Promise<void> {
  for (;;) {
    const view = await auctionView();
    if (view.status !== 'open') return;
    if (view.priceMinor !== null && view.priceMinor <= bidder.ceilingMinor) {
      const answer = await bidder.session.must({ type: 'accept_price', offerId });
      console.log(`${bidder.name} accepts at ${money((answer.result as { auction: { priceMinor: number } }).auction.priceMinor)}`);
      return;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 1_000));
  }
}

async function main(): Promise<void> {
  const view = await auctionView();
  const next = view.kind === 'dutch' ? 'accept the clock' : `next bid from ${money(view.minimumBidMinor)}`;
  console.log(`${offerId}: ${view.kind} auction, ${view.status}; price ${money(view.priceMinor)}, ${next}`);
  if (view.status === 'closed') {
    console.log(`already closed (${view.outcome?.reason ?? '?'}) at ${money(view.outcome?.clearingPriceMinor)}`);
    return;
  }
  const [first, second] = options.bidderSpecs as [{ name: string; ceilingMinor: number }, { name: string; ceilingMinor: number }];
  const bidders: [Bidder, Bidder] = [await openBidder(first.name, first.ceilingMinor, true), await openBidder(second.name, second.ceilingMinor, false)];

  if (view.kind === 'english') await englishWar(bidders);
  else if (view.kind === 'dutch') await acceptWhenCheap(bidders[0]);
  else {
    for (const bidder of bidders) {
      await bidder.session.must({ type: 'place_bid', offerId, maxBidMinor: bidder.ceilingMinor });
      bidder.maxBidMinor = bidder.ceilingMinor;
    }
  }

  const after = await auctionView();
  const ending = after.status === 'open' && after.endMs !== null ? `, ends in ${Math.round((after.endMs - bidders[0].session.serverNowMs()) / 1000)} s` : '';
  console.log(`standing: ${after.status}, price ${money(after.priceMinor)}${ending}`);
  if (after.status === 'open' && options['until-close']) {
    console.log('waiting for the close (Ctrl-C to stop)…');
    await Promise.all(bidders.map((bidder) => bidder.heardClose));
  }
  for (const bidder of bidders) bidder.session.close();
}

main().catch(reportFailure(httpUrl));
