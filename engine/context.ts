import type { EngineEvent } from './events.ts';
import type { EngineState } from './state.ts';

/** What a command handler works with: the state, the command's effective time and the events it emits. */
export interface Ctx {
  state: EngineState;
  nowMs: number;
  events: EngineEvent[];
}

/** Marks a switch as exhaustive: adding a union member without handling it fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
