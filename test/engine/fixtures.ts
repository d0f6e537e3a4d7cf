// Small builders for engine tests: a market with one merchant and a group-buy offer, and shorthands that
// apply commands through the same validating path the gateway uses.
import { expect } from 'vitest';
import { Engine, type Applied, type CommandInput, type EngineConfig, type EngineEvent } from '../../engine/index.ts';

export const MERCHANT = 'm1';

type Mechanism = Extract<CommandInput, { type: 'create_offer' }>['mechanism'];
type OfferInput = Omit<Extract<CommandInput, { type: 'create_offer' }>, 'type' | 'nowMs' | 'merchantId' | 'mechanism'> & {
  mechanism?: Partial<Mechanism>;
};

/** A test market: every command goes through `submit` (validation included) and invariants are checked after it. */
export class Market {
  readonly engine: Engine;
  nowMs = 1_000;

  constructor(config: Partial<EngineConfig> = {}) {
    this.engine = new Engine(config);
  }

  /** Applies raw input at the market's clock (unless it carries its own `nowMs`) and checks invariants. */
  send(command: Record<string, unknown>): Applied {
    const applied = this.engine.submit({ nowMs: this.nowMs, ...command });
    expect(this.engine.checkInvariants()).toEqual([]);
    return applied;
  }

  /** Sends a command that must be accepted; returns the result's fields. */
  ok(command: Record<string, unknown>): Applied['result'] & { ok: true } & Record<string, unknown> {
    const { result } = this.send(command);
    if (!result.ok) throw new Error(`expected ${String(command.type)} to be accepted, got ${result.code}: ${result.message}`);
    return result as Applied['result'] & { ok: true } & Record<string, unknown>;
  }

  /** Sends a command that must be refused with `code`, and checks that it changed nothing. */
  refused(command: Record<string, unknown>, code: string): void {
    const before = this.engine.stateHash();
    const { result, events } = this.send(command);
    expect(result.ok ? 'accepted' : result.code).toBe(code);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
    expect(events).toEqual([]);
    expect(this.engine.stateHash()).toBe(before);
  }

  createOffer(offer: Partial<OfferInput> = {}): string {
    const { mechanism, ...rest } = offer;
    const result = this.ok({
      type: 'create_offer',
      merchantId: MERCHANT,
      offerId: 'o1',
      title: 'Oolong tea, 500 g',
      currency: 'CNY',
      inventory: 100,
      basePriceMinor: 10_000,
      mechanism: { type: 'group', minSize: 3, windowMs: 60_000, ...mechanism },
      ...rest,
    });
    return result.offerId as string;
  }

  open(shopperId: string, extra: Record<string, unknown> = {}): string {
    return this.ok({ type: 'open_group', shopperId, offerId: 'o1', ...extra }).groupId as string;
  }

  join(shopperId: string, groupId: string, extra: Record<string, unknown> = {}) {
    return this.ok({ type: 'join_group', shopperId, groupId, ...extra });
  }

  tickAt(nowMs: number): EngineEvent[] {
    this.nowMs = nowMs;
    return this.send({ type: 'tick' }).events;
  }
}

export function eventOf<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }> {
  const found = events.find((event) => event.type === type);
  if (!found) throw new Error(`no ${type} event among ${events.map((event) => event.type).join(', ') || 'none'}`);
  return found as Extract<EngineEvent, { type: T }>;
}
