// Bad input: a command damaged the way a broken or hostile client would send it. Every damage here is invalid by
// the schema (never a damage that happens to produce another valid command), so the engine must answer
// `bad_request` through `submit` and change nothing at all, not even its clock.
import { LIMITS } from '../../engine/index.ts';
import type { Prng } from './prng.ts';

type Raw = Record<string, unknown>;

/** Fields whose schema accepts anything (a rule set is validated when the command runs, not when it is parsed). */
const UNCHECKED_FIELDS = new Set(['type', 'ruleSet']);
const ID_FIELDS = ['offerId', 'groupId', 'shopperId', 'merchantId', 'holdId', 'rentalId', 'bookingId'];

/** Out-of-range values per numeric field of the auction and reservation commands (and the offer's times). */
const BAD_VALUES: Readonly<Record<string, readonly unknown[]>> = {
  maxBidMinor: [0, -1, 1.5, LIMITS.priceMinorMax + 1],
  exposureLimitMinor: [-1, 2.5, LIMITS.priceMinorMax + 1],
  priorityClass: [-1, 8, 0.5],
  creditScore: [-1, 1_001, 2.5],
  startMs: [-1, 1.5, LIMITS.timeMsMax + 1],
  endMs: [-1, 1.5, LIMITS.timeMsMax + 1],
};

/** Settings no auction or reservation accepts, one field each. */
const BAD_SETTINGS: Readonly<Record<string, readonly Raw[]>> = {
  auction: [{ kind: 'sealed' }, { increments: [] }, { reservePriceMinor: -1 }, { softClose: { windowMs: 0, extendMs: 1, maxExtensions: 1 } }, { softClose: { windowMs: 1, extendMs: 1, maxExtensions: 1_001 } }, { dutch: { floorPriceMinor: 0, stepMinor: 0, stepIntervalMs: 1 } }],
  reservation: [{ mode: 'line' }, { holdMs: 0 }, { priorityClasses: 9 }, { waitlistMax: 0 }, { depositMinor: -5 }, { slotBufferMs: -1 }, { depositWaiverCreditScore: 1_001 }],
};

/** A value of another JSON type than `value`, which a strict schema cannot accept in its place. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 7;
  if (typeof value === 'number') return 'seven';
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

export function garble(rng: Prng, base: Raw): { raw: unknown; how: string } {
  const fields = Object.keys(base).filter((key) => !UNCHECKED_FIELDS.has(key) && base[key] !== undefined);
  const ids = ID_FIELDS.filter((key) => typeof base[key] === 'string');
  const valued = Object.keys(BAD_VALUES).filter((key) => typeof base[key] === 'number');
  const mechanism = base.mechanism as Raw | undefined;
  const settings = typeof mechanism?.type === 'string' ? BAD_SETTINGS[mechanism.type] : undefined;
  const choices: [string, number][] = [
    ['not_an_object', 1],
    ['unknown_type', 1],
    ['missing_type', 1],
    ['missing_time', 1],
    ['bad_time', 2],
    ['unknown_field', 2],
    ['bad_key', 1],
    ...(fields.length > 0 ? [['wrong_type', 3] as [string, number]] : []),
    ...(ids.length > 0 ? [['bad_id', 2] as [string, number]] : []),
    ...(typeof base.qty === 'number' ? [['bad_qty', 1] as [string, number]] : []),
    ...(valued.length > 0 ? [['bad_value', 3] as [string, number]] : []),
    ...(settings !== undefined ? [['bad_settings', 3] as [string, number]] : []),
  ];
  const how = rng.weighted(choices);
  switch (how) {
    case 'not_an_object':
      return { raw: rng.pick([null, 42, 'join_group', [base], true, undefined]), how };
    case 'unknown_type':
      return { raw: { ...base, type: rng.pick(['explode', 'JOIN_GROUP', '']) }, how };
    case 'missing_type': {
      const { type: _type, ...rest } = base;
      return { raw: rest, how };
    }
    case 'missing_time': {
      const { nowMs: _nowMs, ...rest } = base;
      return { raw: rest, how };
    }
    case 'bad_time':
      return { raw: { ...base, nowMs: rng.pick([-1, 1.5, LIMITS.timeMsMax + 1, Number.NaN, Number.POSITIVE_INFINITY, '1750000000000']) }, how };
    case 'unknown_field':
      return { raw: { ...base, [rng.pick(['bogus', 'priceOverride', 'isAdmin'])]: rng.pick([1, true, 'x']) }, how };
    case 'bad_key':
      return { raw: { ...base, idempotencyKey: rng.pick(['', 'k'.repeat(LIMITS.idempotencyKeyLengthMax + 1), 12]) }, how };
    case 'wrong_type': {
      const field = rng.pick(fields);
      return { raw: { ...base, [field]: wrongTypeFor(base[field]) }, how: `wrong_type:${field}` };
    }
    case 'bad_id': {
      const field = rng.pick(ids);
      return { raw: { ...base, [field]: rng.pick(['', 'has space', 'x'.repeat(LIMITS.idLengthMax + 1), 'café']) }, how: `bad_id:${field}` };
    }
    case 'bad_qty':
      return { raw: { ...base, qty: rng.pick([0, -1, 1.5, LIMITS.qtyPerJoinMax + 1]) }, how };
    case 'bad_value': {
      const field = rng.pick(valued);
      return { raw: { ...base, [field]: rng.pick(BAD_VALUES[field]!) }, how: `bad_value:${field}` };
    }
    case 'bad_settings': {
      const damage = rng.pick(settings!);
      return { raw: { ...base, mechanism: { ...mechanism, ...damage } }, how: `bad_settings:${Object.keys(damage)[0]}` };
    }
    default:
      throw new Error(`no such damage: ${how}`);
  }
}
