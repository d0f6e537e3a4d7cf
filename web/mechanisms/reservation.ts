// Reservation queues and slots (预约 / 排队): rent the next free unit, or book a unit for a time
// (docs/reservations.md). Their three parts live beside this file; they stream on the offer's channel, and each
// shopper's position comes on its own channel.
import type { OfferView } from '../wire.ts';
import type { MechanismUi } from './index.ts';
import { reservationMerchantPanel } from './reservation-merchant.ts';
import { reservationSettingsFields } from './reservation-settings.ts';
import { reservationShopperPanel } from './reservation-shopper.ts';

const isSlots = (offer: OfferView): boolean => offer.mechanism.type === 'reservation' && offer.mechanism.mode === 'slots';

export const reservations: MechanismUi = {
  type: 'reservation',
  label: 'Reservation: queue or slots (预约)',
  basePriceMeaning: 'the price of one rental or booking before pricing rules',
  shopperPrice: (offer) =>
    isSlots(offer)
      ? { title: 'Price of a booking now', caption: 'Charged when you confirm a held slot, whatever its length; demand may move it.' }
      : { title: 'Price of a rental now', caption: 'Charged when you confirm the unit held for you; a long line may raise it.' },
  summary(offer) {
    const view = offer.reservation;
    if (!view) return '';
    if (view.mode === 'slots') return `${view.confirmedBookings} booked · ${view.waiting} waiting`;
    return `${view.waiting} waiting · ${view.unitsFree ?? 0}/${view.capacity} free`;
  },
  settingsFields: reservationSettingsFields,
  merchantPanel: reservationMerchantPanel,
  shopperPanel: reservationShopperPanel,
};
