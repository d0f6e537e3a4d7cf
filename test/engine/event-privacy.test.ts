// Events carry their audiences, and privacy is an allowlist: a field that a mechanism adds to an event reaches the
// public (offer channels, other shoppers) only once its catalog entry names it. Every event the fault simulation
// produces across the three mechanisms gets a field no catalog lists, and no public form nor private delivery of
// it may carry that field; every event type of every mechanism must have turned up, so a new type is covered too.
import { describe, expect, it } from 'vitest';
import { Engine, EVENT_CATALOG, MECHANISMS, privateEvents, publicEvent, type Applied, type EngineEvent } from '../../engine/index.ts';
import type { EngineFactory, SimEngine } from '../fault-sim/engine-port.ts';
import { simulate } from '../fault-sim/simulation.ts';

const PROBE = 'newlyAddedField';

/** An engine that keeps one example of each event type it emits (bounded by the catalog's size). */
function recordingFactory(seen: Map<string, EngineEvent[]>): EngineFactory {
  const record = (applied: Applied): Applied => {
    for (const event of applied.events) {
      const list = seen.get(event.type) ?? [];
      if (list.length < 20) list.push(structuredClone(event));
      seen.set(event.type, list);
    }
    return applied;
  };
  const wrap = (engine: Engine): SimEngine =>
    Object.assign(Object.create(engine) as SimEngine, {
      apply: (cmd: Parameters<Engine['apply']>[0]) => record(engine.apply(cmd)),
      submit: (raw: unknown) => record(engine.submit(raw)),
    });
  return { create: (config) => wrap(new Engine(config)), restore: (snapshot) => wrap(Engine.restore(snapshot)) };
}

describe('event privacy is an allowlist', () => {
  it('keeps a field newly added to any event private, in its public form and in every private delivery', async () => {
    const seen = new Map<string, EngineEvent[]>();
    const factory = recordingFactory(seen);
    for (let seed = 1; seed <= 40; seed++) await simulate({ seed, steps: 150, factory });

    const leaks: string[] = [];
    for (const [type, events] of seen) {
      for (const event of events) {
        const probed = { ...event, [PROBE]: `secret of ${type}` } as unknown as EngineEvent;
        if (PROBE in publicEvent(probed)) leaks.push(`${type}: public form`);
        privateEvents(probed, (shopperId, form) => {
          if (PROBE in form) leaks.push(`${type}: private form for ${shopperId}`);
        });
      }
    }
    expect(leaks).toEqual([]);

    // Every mechanism's every event type (and the core's) was probed.
    const catalogTypes = Object.keys(EVENT_CATALOG).sort();
    const mechanismTypes = Object.values(MECHANISMS).flatMap((mechanism) => Object.keys(mechanism.events));
    expect(mechanismTypes.every((type) => catalogTypes.includes(type))).toBe(true);
    expect(catalogTypes.filter((type) => !seen.has(type))).toEqual([]);
  }, 120_000);
});
