// Public surface of the runtime: the single-writer shell around the engine (sequencer, journal seam, deadline
// timer, checkpoints, journal catch-up, durable start-up and the effects it feeds).
export { InMemoryJournal, type Journal, type JournalEntry } from './journal.ts';
export { Sequencer, type Outcome, type UnstampedCommand, type SequencerState, type Unavailable } from './sequencer.ts';
export { Checkpointer } from './checkpointer.ts';
export { BootError, openStore, recoverStore, openAndRecover, describeStore } from './durable-boot.ts';
export { GatewayEffects, effectsNamespaceFromEnv } from './effects-runtime.ts';
