// A rental through a queue, against a running server (`npm start` in another terminal):
//   npx tsx examples/queue-client.ts [--url http://127.0.0.1:8080] [--offer demo-bike] [--shopper rider]
//       [--ride-s 5] [--credit-score 0..1000] [--priority-class 0..7]
// It joins the offer's queue, prints its live position and estimated wait until a unit is held for it, confirms
// the hold (the rental starts: charged, deposit held unless its credit score waives it), rides for `--ride-s`
// seconds and returns the unit (the deposit is released). Run several at once to see the line move.
import { parseArgs } from 'node:util';
import { getJson, money, reportFailure, serverUrls, Session, shopperToken, type ServerMessage } from './session.ts';

const USAGE =
  'usage: npx tsx examples/queue-client.ts [--url http://127.0.0.1:8080] [--offer demo-bike] [--shopper rider] [--ride-s 5] [--credit-score 0..1000] [--priority-class 0..7]';

/** Command-line options; a mistake prints the usage line instead of a stack trace. */
function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:8080' },
        offer: { type: 'string', default: 'demo-bike' },
        shopper: { type: 'string', default: 'rider' },
        'ride-s': { type: 'string', default: '5' },
        'credit-score': { type: 'string' },
        'priority-class': { type: 'string' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const wholeIn = (text: string | undefined, flag: string, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > max) {
      console.error(`--${flag} must be a whole number from 0 to ${max}, not "${text}"\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  return {
    ...values,
    rideS: wholeIn(values['ride-s'], 'ride-s', 3_600)!,
    creditScore: wholeIn(values['credit-score'], 'credit-score', 1_000),
    priorityClass: wholeIn(values['priority-class'], 'priority-class', 7),
  };
}

const options = readOptions();
const { httpUrl, wsUrl } = serverUrls(options.url);
const offerId = options.offer;
const me = options.shopper;

interface ReservationView {
  mode: 'queue' | 'slots';
  capacity: number;
  unitsFree: number | null;
  waiting: number;
  estimatedWaitMs: number | null;
}

const seconds = (ms: unknown): string => (typeof ms === 'number' ? `${Math.round(ms / 1000)} s` : 'unknown yet');

async function main(): Promise<void> {
  const { reservation } = await getJson<{ reservation: ReservationView; currency: string }>(`${httpUrl}/v1/offers/${offerId}/reservation`);
  if (reservation.mode !== 'queue') throw new Error(`${offerId} takes slot bookings (book_slot), not a queue`);
  console.log(`${offerId}: ${reservation.capacity} units, ${String(reservation.unitsFree)} free, ${reservation.waiting} waiting; a new joiner waits ${seconds(reservation.estimatedWaitMs)}`);

  // The hold offered to me, whether it comes in the join's answer or later on my channel.
  let offered: (hold: { holdId: string; expiresAtMs: number }) => void = () => {};
  const held = new Promise<{ holdId: string; expiresAtMs: number }>((resolve) => (offered = resolve));
  const session: Session = await Session.open(wsUrl, me, (message: ServerMessage) => {
    if (message.type !== 'delta' || message.channel !== `shopper:${me}`) return;
    const event = message.event as Record<string, unknown>;
    switch (event.type) {
      case 'queue_position':
        console.log(`  position ${String(event.position)} (0: next), estimated wait ${seconds(event.estimatedWaitMs)}`);
        return;
      case 'hold_offered':
        offered({ holdId: String(event.holdId), expiresAtMs: Number(event.expiresAtMs) });
        return;
      case 'hold_expired':
        console.log(`  hold ${String(event.holdId)} expired`);
        return;
      case 'rental_started':
        console.log(`  rental ${String(event.rentalId)} started: charged ${money(event.chargedMinor)}, deposit held ${money(event.depositMinor)}`);
        return;
      case 'rental_ended':
        console.log(`  rental ${String(event.rentalId)} ended after ${seconds(event.durationMs)}: deposit released ${money(event.depositReleasedMinor)}`);
        return;
      default:
        return;
    }
  });
  const claims = { ...(options.creditScore !== undefined ? { creditScore: options.creditScore } : {}), ...(options.priorityClass !== undefined ? { priorityClass: options.priorityClass } : {}) };
  await session.must({ type: 'authenticate', token: await shopperToken(httpUrl, me, claims, process.env.TUAN_TOKEN) });
  await session.must({ type: 'subscribe', channel: `shopper:${me}` });

  const joined = await session.must({ type: 'join_queue', offerId, idempotencyKey: `queue-${me}-${Date.now()}` });
  const place = (joined.result as { reservation: { ticket: number; holdId?: string; expiresAtMs?: number; position?: number } }).reservation;
  if (place.holdId !== undefined) offered({ holdId: place.holdId, expiresAtMs: place.expiresAtMs! });
  else console.log(`joined with ticket ${place.ticket}; ${String(place.position)} ahead of me. Waiting for a unit (Ctrl-C to stop)…`);

  const hold = await held;
  console.log(`a unit is held for me (${hold.holdId}) for ${seconds(hold.expiresAtMs - session.serverNowMs())}: confirming`);
  const confirmed = await session.must({ type: 'confirm_hold', offerId, holdId: hold.holdId });
  const rental = confirmed.result as { chargedMinor: number; reservation: { rentalId: string; depositMinor: number } };
  console.log(`riding ${rental.reservation.rentalId} for ${options.rideS} s (charged ${money(rental.chargedMinor)}, deposit ${money(rental.reservation.depositMinor)})`);
  await new Promise<void>((resolve) => setTimeout(resolve, options.rideS * 1_000));
  const returned = await session.must({ type: 'return_unit', offerId, rentalId: rental.reservation.rentalId });
  console.log(`returned; deposit released: ${money((returned.result as { reservation: { depositReleasedMinor: number } }).reservation.depositReleasedMinor)}`);
  session.close();
}

main().catch(reportFailure(httpUrl));
