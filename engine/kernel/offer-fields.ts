// The fields every offer has, whatever sells it, as zod schemas: kept apart from commands.ts (which gathers the
// mechanisms' commands) so kernel code can read them without importing the registry.
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { Money, TimeMs } from '../schema-primitives.ts';
import { TimeZoneSchema } from './time-zone.ts';

export const OfferFields = {
  title: z.string().min(1).max(LIMITS.titleLengthMax),
  inventory: z.number().int().min(0).max(LIMITS.inventoryMax),
  basePriceMinor: Money,
  /** Units one shopper may hold and buy in this offer, across all its groups. Absent: no limit. */
  perShopperLimit: z.number().int().min(1).max(LIMITS.inventoryMax).optional(),
  startMs: TimeMs.optional(),
  endMs: TimeMs.optional(),
  /** The offer's local time, resolved from an IANA name by the edge that accepted it (daily pricing windows). Absent: UTC. */
  timeZone: TimeZoneSchema.optional(),
};

/** Fields a merchant may change on any live offer. */
export const CORE_PATCH_SHAPE = {
  title: OfferFields.title.optional(),
  inventory: OfferFields.inventory.optional(),
  basePriceMinor: Money.optional(),
  perShopperLimit: OfferFields.perShopperLimit.nullable(),
  endMs: TimeMs.nullable(),
  timeZone: TimeZoneSchema.nullable(),
};

