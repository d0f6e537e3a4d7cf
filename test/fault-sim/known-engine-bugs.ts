// Engine bugs the simulator found that are not fixed yet. Until one is fixed the generators steer around it (so the
// suite stays green and keeps checking everything else); `KNOWN_BUGS=1` (the test) or `--known-bugs` (the long
// run) drives straight into it again, which is how the replay in docs/simulation-testing.md shows it. Delete the
// entry, and the steering that reads it, once the engine is fixed.

export const KNOWN_ENGINE_BUGS = {
  /**
   * A `time_decay_linear` rule with `deadline: "group"` on an offer that has no groups (an auction or reservation
   * offer) and no end prices against a group deadline of Number.MAX_SAFE_INTEGER (engine/offer-pricing.ts,
   * `newGroupDeadline`), so the offer's reprice wake-up and `nextDeadlineMs()` land near 9.007e15, past
   * `LIMITS.timeMsMax`: a tick at the engine's own next deadline is refused as `bad_request`.
   */
  groupDecayWithoutGroups: 'group_decay_without_groups',
} as const;

export type KnownEngineBug = (typeof KNOWN_ENGINE_BUGS)[keyof typeof KNOWN_ENGINE_BUGS];

/** The bugs a run steers around: all of them, unless it was asked to run into them. */
export function bugsToSteerAround(runIntoKnownBugs: boolean): ReadonlySet<KnownEngineBug> {
  return new Set(runIntoKnownBugs ? [] : Object.values(KNOWN_ENGINE_BUGS));
}
