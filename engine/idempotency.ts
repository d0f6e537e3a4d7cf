// Idempotency keys. A key is scoped to the actor that sent it (a merchant or a shopper), so two actors can
// never collide. Only accepted commands are remembered: a refused command changed nothing, so retrying it with
// the same key simply tries again. Memory is bounded by count (`idempotencyKeysMax`, oldest forgotten first)
// and by age (`idempotencyTtlMs`); a retry after its key is forgotten runs as a new command.
import { canonicalJson } from './hash.ts';
import type { Command } from './commands.ts';
import { unreachable } from './context.ts';
import { reject, type CommandResult } from './results.ts';
import type { EngineState } from './state.ts';

function actorOf(cmd: Command): string | null {
  switch (cmd.type) {
    case 'create_offer':
    case 'edit_offer':
    case 'pause_offer':
    case 'resume_offer':
    case 'close_offer':
    case 'set_rule_set':
      return `m:${cmd.merchantId}`;
    case 'open_group':
    case 'join_group':
    case 'match_group':
    case 'leave_group':
    case 'place_bid':
    case 'buy_now':
    case 'accept_price':
    case 'join_queue':
    case 'leave_queue':
    case 'confirm_hold':
    case 'extend_hold':
    case 'release_hold':
    case 'return_unit':
    case 'book_slot':
    case 'cancel_booking':
      return `s:${cmd.shopperId}`;
    case 'quote':
    case 'tick':
      return null; // nothing to protect: these change no state of their own
    default:
      return unreachable(cmd);
  }
}

/** The key under which this command is remembered, or null when it carries none that matters. */
export function idempotencySlot(cmd: Command): string | null {
  if (cmd.idempotencyKey === undefined) return null;
  const actor = actorOf(cmd);
  return actor === null ? null : `${actor}\u0000${cmd.idempotencyKey}`;
}

function fingerprint(cmd: Command): string {
  const { nowMs: _now, idempotencyKey: _key, ...rest } = cmd;
  return canonicalJson(rest);
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
