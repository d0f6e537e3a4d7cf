// Idempotency keys. A key is scoped to the actor that sent it (a merchant or a shopper), so two actors can never
// collide. Only accepted commands are remembered: a refused command changed nothing, so retrying it with the same
// key simply tries again. Memory is bounded by count (`idempotencyKeysMax`, oldest forgotten first) and by age
// (`idempotencyTtlMs`); a retry after its key is forgotten runs as a new command.
//
// What makes a retry "the same command" is what the client asked (its fingerprint): never the time, the key itself,
// nor the facts the gateway vouched for from the shopper's token (VOUCHED_FACT_FIELDS). Those describe the shopper
// when the command arrived: an honest retry after a token renewal, or after the shopper bid elsewhere, carries other
// facts and still gets the first answer.
import { canonicalJson } from './hash.ts';
import type { Command } from './commands.ts';
import type { EngineState } from './kernel/state.ts';
import { reject, type CommandResult } from './results.ts';
import { VOUCHED_FACT_FIELDS } from './schema-primitives.ts';

/** Who sent the command: a merchant or a shopper (every command of either names it), or nobody (quotes, ticks). */
function actorOf(cmd: Command): string | null {
  if ('merchantId' in cmd) return `m:${cmd.merchantId}`;
  if ('shopperId' in cmd) return `s:${cmd.shopperId}`;
  return null; // nothing to protect: these change no state of their own
}

/** The key under which this command is remembered, or null when it carries none that matters. */
export function idempotencySlot(cmd: Command): string | null {
  if (cmd.idempotencyKey === undefined) return null;
  const actor = actorOf(cmd);
  return actor === null ? null : `${actor}\u0000${cmd.idempotencyKey}`;
}

const NOT_ASKED: ReadonlySet<string> = new Set(['nowMs', 'idempotencyKey', ...VOUCHED_FACT_FIELDS]);

function fingerprint(cmd: Command): string {
  const asked: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(cmd)) if (!NOT_ASKED.has(field)) asked[field] = value;
  return canonicalJson(asked);
}

function forgetExpired(state: EngineState, nowMs: number): void {
  // Oldest first: stop at the first key still young enough, the rest are younger.
  for (let oldest = state.idempotency.oldest(); oldest && oldest[1].atMs + state.config.idempotencyTtlMs <= nowMs; oldest = state.idempotency.oldest()) {
    state.idempotency.dropOldest();
  }
}

/** The remembered answer for a repeated command, a refusal for a reused key, or null to run the command. */
export function recall(state: EngineState, slot: string, cmd: Command, nowMs: number): CommandResult | null {
  forgetExpired(state, nowMs);
  const entry = state.idempotency.get(slot);
  if (!entry) return null;
  if (entry.fingerprint !== fingerprint(cmd)) {
    return reject('idempotency_key_reused', `Idempotency key "${cmd.idempotencyKey}" was already used for a different command.`);
  }
  // A copy: the caller owns what it gets back, and must not be able to change what the engine remembers.
  return structuredClone(entry.result);
}

export function remember(state: EngineState, slot: string, cmd: Command, result: CommandResult, nowMs: number): void {
  state.idempotency.push(slot, { fingerprint: fingerprint(cmd), result: structuredClone(result), atMs: nowMs });
  while (state.idempotency.size > state.config.idempotencyKeysMax) state.idempotency.dropOldest();
}
