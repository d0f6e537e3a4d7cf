// Reservation events → effects. A rental or a confirmed booking is charged and its deposit held; the deposit is
// released when the unit comes back, the booking is cancelled or it is over; a booking cancelled before its start
// is refunded. Each of those events also makes a merchant webhook (the merchant hands over and takes back units).
//
// Why these ids carry no seq: rental and booking ids (`<offerId>~h<n>`, `<offerId>~b<n>`) are issued once per
// offer and offers are never forgotten, and each money event happens once per rental or booking (it starts once,
// ends once; a booking ends cancelled or completed, never both). So `<kind>|<namespace>|<id>` is unique within a
// namespace, and stays single even if the same event ever reached the outbox under two seqs.
import type { EngineEvent } from '../engine/index.ts';
import { effectKey, unreachable, type DepositReleaseReason, type MoneySubject } from './effect-spec.ts';
import type { Derivation } from './derivation.ts';

type ReservationMoneyType = 'rental_started' | 'rental_ended' | 'booking_confirmed' | 'booking_cancelled' | 'booking_completed';
export type ReservationMoneyEvent = Extract<EngineEvent, { type: ReservationMoneyType }>;

export function deriveReservationEvent(out: Derivation, event: ReservationMoneyEvent): void {
  const ns = out.namespace;
  const info = out.offer(event.offerId);
  const base = (subjectId: string, subject: MoneySubject, shopperId: string) => ({
    seq: out.seq,
    atMs: event.atMs,
    merchantId: info.merchantId,
    offerId: event.offerId,
    shopperId,
    currency: info.currency,
    subject,
    paymentRef: effectKey([ns, subjectId]),
  });
  const charge = (subjectId: string, subject: MoneySubject, shopperId: string, amountMinor: number) => {
    if (amountMinor > 0) out.push({ kind: 'charge', effectId: out.id(['charge', ns, subjectId]), ...base(subjectId, subject, shopperId), qty: 1, amountMinor });
  };
  const holdDeposit = (subjectId: string, subject: MoneySubject, shopperId: string, amountMinor: number) => {
    if (amountMinor > 0) out.push({ kind: 'deposit_hold', effectId: out.id(['deposit_hold', ns, subjectId]), ...base(subjectId, subject, shopperId), amountMinor });
  };
  const releaseDeposit = (subjectId: string, subject: MoneySubject, shopperId: string, amountMinor: number, reason: DepositReleaseReason) => {
    if (amountMinor > 0) out.push({ kind: 'deposit_release', effectId: out.id(['deposit_release', ns, subjectId]), ...base(subjectId, subject, shopperId), reason, amountMinor });
  };
  const webhook = (subjectId: string, data: Record<string, unknown>) =>
    out.webhook(['webhook', ns, event.type, subjectId], event.type, event.offerId, info, event.atMs, { ...data, currency: info.currency });

  switch (event.type) {
    case 'rental_started': {
      const subject: MoneySubject = { type: 'rental', rentalId: event.rentalId };
      charge(event.rentalId, subject, event.shopperId, event.chargedMinor);
      holdDeposit(event.rentalId, subject, event.shopperId, event.depositMinor);
      const { rentalId, shopperId, unitPriceMinor, chargedMinor, depositMinor } = event;
      webhook(rentalId, { rentalId, shopperId, unitPriceMinor, chargedMinor, depositMinor });
      return;
    }
    case 'rental_ended': {
      releaseDeposit(event.rentalId, { type: 'rental', rentalId: event.rentalId }, event.shopperId, event.depositReleasedMinor, 'returned');
      const { rentalId, shopperId, startedAtMs, durationMs, depositReleasedMinor } = event;
      webhook(rentalId, { rentalId, shopperId, startedAtMs, durationMs, depositReleasedMinor });
      return;
    }
    case 'booking_confirmed': {
      const subject: MoneySubject = { type: 'booking', bookingId: event.bookingId };
      charge(event.bookingId, subject, event.shopperId, event.chargedMinor);
      holdDeposit(event.bookingId, subject, event.shopperId, event.depositMinor);
      const { bookingId, shopperId, unit, startMs, endMs, unitPriceMinor, chargedMinor, depositMinor } = event;
      webhook(bookingId, { bookingId, shopperId, unit, startMs, endMs, unitPriceMinor, chargedMinor, depositMinor });
      return;
    }
    case 'booking_cancelled': {
      const subject: MoneySubject = { type: 'booking', bookingId: event.bookingId };
      if (event.refundMinor > 0) {
        out.push({ kind: 'refund', effectId: out.id(['refund', ns, event.bookingId]), ...base(event.bookingId, subject, event.shopperId), reason: 'cancelled', amountMinor: event.refundMinor });
      }
      releaseDeposit(event.bookingId, subject, event.shopperId, event.depositReleasedMinor, 'cancelled');
      const { bookingId, shopperId, refundMinor, depositReleasedMinor } = event;
      webhook(bookingId, { bookingId, shopperId, refundMinor, depositReleasedMinor });
      return;
    }
    case 'booking_completed': {
      releaseDeposit(event.bookingId, { type: 'booking', bookingId: event.bookingId }, event.shopperId, event.depositReleasedMinor, 'completed');
      const { bookingId, shopperId, depositReleasedMinor } = event;
      webhook(bookingId, { bookingId, shopperId, depositReleasedMinor });
      return;
    }
    default:
      return unreachable(event);
  }
}
