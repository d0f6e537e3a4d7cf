// What the simulator needs of an engine, and how it makes one. The real `Engine` fits as it is; the sensitivity
// test wraps it to plant a bug (a corrupted result, a skipped replay) and checks that the simulator catches it,
// without touching engine/ at all.
import { Engine, type Applied, type AuctionView, type Command, type EngineConfig, type EngineSnapshot, type ReservationView } from '../../engine/index.ts';

export interface SimEngine {
  readonly nowMs: number;
  apply(cmd: Command): Applied;
  submit(raw: unknown): Applied;
  snapshot(): EngineSnapshot;
  stateHash(): string;
  checkInvariants(): string[];
  nextDeadlineMs(): number | null;
  /** The public views the per-offer references compare (offer-references.ts). */
  auction(offerId: string): AuctionView | null;
  reservation(offerId: string, shopperId?: string): ReservationView | null;
}

export interface EngineFactory {
  create(config: EngineConfig): SimEngine;
  /** Rebuilds an engine from a snapshot (after a crash); the journal tail is replayed into it by the caller. */
  restore(snapshot: EngineSnapshot): SimEngine;
}

export const REAL_ENGINE: EngineFactory = {
  create: (config) => new Engine(config),
  restore: (snapshot) => Engine.restore(snapshot),
};
