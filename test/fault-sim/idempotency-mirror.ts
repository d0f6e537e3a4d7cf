// What the engine must remember of idempotency keys (docs/engine.md, "Idempotency"), kept by the simulator on the
// clients' side: which keyed commands were accepted, with the full first result, under the same bounds (count and
// age) as the engine. It tells each delivery what to expect: a replay of the first answer, exactly; a refusal for a
// reused key; or a fresh run. Unlike the reference model it works in engine-only seeds too.
import { canonicalJson, type Command, type CommandResult, type EngineConfig } from '../../engine/index.ts';

export type KeyExpectation =
  | { kind: 'none' }
  | { kind: 'new'; slot: string; fingerprint: string }
  | { kind: 'replay'; first: CommandResult }
  | { kind: 'reused' };

interface Remembered {
  fingerprint: string;
  result: CommandResult;
  atMs: number;
}

/** Keys belong to the actor that sent them: a merchant or a shopper. Ticks and quotes have none. */
function slotOf(cmd: Command): string | null {
  if (cmd.idempotencyKey === undefined) return null;
  if ('merchantId' in cmd) return `m:${cmd.merchantId}\u0000${cmd.idempotencyKey}`;
  if ('shopperId' in cmd) return `s:${cmd.shopperId}\u0000${cmd.idempotencyKey}`;
  return null;
}

function fingerprintOf(cmd: Command): string {
  const { nowMs: _nowMs, idempotencyKey: _key, ...rest } = cmd;
  return canonicalJson(rest);
}

export class IdempotencyMirror {
  /** Insertion order is acceptance order, oldest first, as in the engine. */
  private readonly remembered = new Map<string, Remembered>();

  constructor(private readonly config: EngineConfig) {}

  /** What a parsed command must get, at the engine time it will run at (`max(engine clock, cmd.nowMs)`). */
  expect(cmd: Command, runsAtMs: number): KeyExpectation {
    const slot = slotOf(cmd);
    if (slot === null) return { kind: 'none' };
    for (const [oldest, entry] of this.remembered) {
      if (entry.atMs + this.config.idempotencyTtlMs > runsAtMs) break;
      this.remembered.delete(oldest);
    }
    const fingerprint = fingerprintOf(cmd);
    const entry = this.remembered.get(slot);
    if (entry === undefined) return { kind: 'new', slot, fingerprint };
    return entry.fingerprint === fingerprint ? { kind: 'replay', first: entry.result } : { kind: 'reused' };
  }

  /** Remembers an accepted new keyed command, forgetting the oldest past the count bound. */
  settle(expectation: KeyExpectation, result: CommandResult, atMs: number): void {
    if (expectation.kind !== 'new' || !result.ok) return;
    this.remembered.set(expectation.slot, { fingerprint: expectation.fingerprint, result: structuredClone(result), atMs });
    for (const oldest of this.remembered.keys()) {
      if (this.remembered.size <= this.config.idempotencyKeysMax) break;
      this.remembered.delete(oldest);
    }
  }
}
