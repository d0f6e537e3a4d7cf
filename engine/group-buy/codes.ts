// Rejection codes only group-buys answer with (results.ts has the core's). No imports: the registry reads this at load time.
export const GROUP_REJECTION_CODES = [
  /** No group with this id (live or remembered as settled). */
  'unknown_group',
  /** A caller-chosen group id is taken. */
  'group_exists',
  /** The group has completed or failed. */
  'group_closed',
  /** The group has all the members it takes (or filled up and completed). */
  'group_full',
  'already_member',
  'not_member',
  /** Members may leave only before the group forms. */
  'already_formed',
  /** A newcomer-only group, and the shopper is not a newcomer. */
  'not_newcomer',
  /** `match_group` found no group to join and the offer does not open groups by matching. */
  'no_joinable_group',
  /** The offer has its maximum of live groups. */
  'too_many_groups',
] as const;
