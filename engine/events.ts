// The engine's output besides results: past-tense facts, in the order they happened. The offer's own events are
// the core's (kernel/events.ts); each mechanism brings its own. Every event carries its offer, merchant, currency
// and time, and every event type has a spec (its audiences and effects) in the catalog below, which is all that
// fan-out, effects, the console and the simulator need to know of it.
import { CORE_EVENTS, publicFormOf, type CoreEvent, type Deliver, type EventSpec } from './kernel/events.ts';
import type { EffectFact } from './kernel/effect-facts.ts';
import { MECHANISM_LIST, type MechanismEvent } from './registry.ts';

export type EngineEvent = CoreEvent | MechanismEvent;
export type EventType = EngineEvent['type'];
export type EventOf<T extends EventType> = Extract<EngineEvent, { type: T }>;
export type { Deliver, EventSpec } from './kernel/events.ts';

/** Every event type's spec: the core's and each mechanism's catalog, together. */
export const EVENT_CATALOG = Object.assign({}, CORE_EVENTS, ...MECHANISM_LIST.map((mechanism) => mechanism.events)) as { readonly [K in EventType]: EventSpec<EventOf<K>> };

function specOf(event: EngineEvent): EventSpec<EngineEvent> {
  const spec = (EVENT_CATALOG as Record<string, EventSpec<EngineEvent> | undefined>)[event.type];
  // An event of a type no catalog knows is a programming error (or a journal written by other code): say so.
  if (spec === undefined) throw new Error(`no event spec for "${event.type}"`);
  return spec;
}

/** The form of an event every watcher of its offer (and its group) may see. */
export function publicEvent(event: EngineEvent): Record<string, unknown> {
  return publicFormOf(specOf(event), event);
}

/**
 * Hands each shopper the event names privately its own form (what it was charged or refunded, its bid, its place).
 * `publicForm`, when given, is the event's public form already made (it is reused, not made again).
 */
export function privateEvents(event: EngineEvent, deliver: Deliver, publicForm?: Record<string, unknown>): void {
  const spec = specOf(event);
  if (spec.private === undefined) return;
  let made = publicForm;
  spec.private(event, deliver, () => (made ??= publicFormOf(spec, event)));
}

/** The money and merchant notifications the event sends out of the engine, in order (see kernel/effect-facts.ts). */
export function eventEffects(event: EngineEvent): readonly EffectFact[] {
  return specOf(event).effects?.(event) ?? NONE;
}

const NONE: readonly EffectFact[] = [];
