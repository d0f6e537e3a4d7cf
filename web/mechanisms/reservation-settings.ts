// The settings of a new reservation offer (docs/reservations.md, "Settings"): a queue of interchangeable units
// (bikes) or bookable slots (courts), how long a unit is held for its shopper to confirm, the deposit, priority
// classes and aging, and for slots their lengths and the gap kept between bookings. Times are entered in seconds
// or minutes and sent in milliseconds; blank optional fields are left out (the server's defaults apply).
import { el, field, numberInput, numberValue, select } from '../dom.ts';
import { durationValue, moneyField } from '../money-field.ts';
import type { SettingsEnv, SettingsFields } from './index.ts';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

export function reservationSettingsFields(env: SettingsEnv): SettingsFields {
  const mode = select(
    [
      ['queue', 'Queue: wait for the next free unit, rent it, return it'],
      ['slots', 'Slots: book a unit for a start and an end'],
    ],
    'queue',
  );
  const holdS = numberInput(60, { min: 1 });
  const extensionS = numberInput(60, { min: 1, placeholder: 'no extension' });
  const deposit = numberInput(0, { min: 0 });
  const waiver = numberInput(null, { min: 0, max: 1_000, placeholder: 'nobody' });
  const classes = numberInput(1, { min: 1, max: 8 });
  const agingMin = numberInput(null, { min: 1, placeholder: 'no aging' });
  const waitlistMax = numberInput(null, { min: 1, max: 100_000, placeholder: '10000' });
  const bufferMin = numberInput(0, { min: 0 });
  const slotMinMin = numberInput(30, { min: 1 });
  const slotMaxMin = numberInput(120, { min: 1, placeholder: '30 days' });

  const slotFields = el('fieldset', {}, [
    el('legend', { text: 'Slots' }),
    el('div', { class: 'grid' }, [
      field('Shortest booking (minutes)', slotMinMin, { path: 'mechanism.slotMinMs' }).wrapper,
      field('Longest booking (minutes, blank: 30 days)', slotMaxMin, { path: 'mechanism.slotMaxMs' }).wrapper,
      field('Free time after each booking (minutes)', bufferMin, { path: 'mechanism.slotBufferMs', hint: 'Turnaround before the unit may be booked again.' }).wrapper,
    ]),
  ]);
  const showMode = (): void => {
    slotFields.hidden = mode.value !== 'slots';
  };
  mode.addEventListener('change', showMode);
  showMode();

  const element = el('fieldset', { class: 'mechanism-settings', attrs: { 'data-path': 'mechanism' } }, [
    el('legend', { text: 'Reservation settings' }),
    el('p', { class: 'hint', text: 'The inventory is the number of units (bikes, courts); the list price is what one rental or booking costs before pricing rules.' }),
    el('div', { class: 'grid' }, [
      field('Mode', mode, { path: 'mechanism.mode' }).wrapper,
      field('Time to confirm a held unit (seconds)', holdS, { path: 'mechanism.holdMs' }).wrapper,
      field('A hold may be extended once by (seconds, blank: no)', extensionS, { path: 'mechanism.holdExtensionMs' }).wrapper,
      moneyField('Deposit (minor units, 0: none)', deposit, env.currency, { path: 'mechanism.depositMinor' }).wrapper,
      field('No deposit from credit score (blank: nobody)', waiver, { path: 'mechanism.depositWaiverCreditScore' }).wrapper,
      field('Priority classes (1–8)', classes, { path: 'mechanism.priorityClasses', hint: 'Members of class 0 are served first.' }).wrapper,
      field('Move up a class after waiting (minutes, blank: never)', agingMin, { path: 'mechanism.agingMs' }).wrapper,
      field('Most shoppers waiting (blank: 10 000)', waitlistMax, { path: 'mechanism.waitlistMax' }).wrapper,
    ]),
    slotFields,
    el('p', { class: 'field-error', attrs: { role: 'alert', hidden: true } }),
  ]);

  return {
    element,
    suggested: { inventory: 3, basePriceMinor: 1_500 },
    read() {
      const slots = mode.value === 'slots';
      const optional = (key: string, value: number | undefined): Record<string, number> => (value === undefined ? {} : { [key]: value });
      return {
        type: 'reservation',
        mode: mode.value,
        holdMs: durationValue(holdS, SECOND_MS),
        ...optional('holdExtensionMs', durationValue(extensionS, SECOND_MS)),
        depositMinor: numberValue(deposit) ?? 0,
        ...optional('depositWaiverCreditScore', numberValue(waiver)),
        priorityClasses: numberValue(classes) ?? 1,
        ...optional('agingMs', durationValue(agingMin, MINUTE_MS)),
        ...optional('waitlistMax', numberValue(waitlistMax)),
        ...(slots
          ? {
              slotBufferMs: durationValue(bufferMin, MINUTE_MS) ?? 0,
              ...optional('slotMinMs', durationValue(slotMinMin, MINUTE_MS)),
              ...optional('slotMaxMs', durationValue(slotMaxMin, MINUTE_MS)),
            }
          : {}),
      };
    },
  };
}
