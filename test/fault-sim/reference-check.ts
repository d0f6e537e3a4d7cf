// The differential check of reference-mode seeds: every delivered command also runs in the naive reference model
// (test/engine/reference-model.ts), and the engine must agree with it on the result, the facts emitted, the state
// projection and the next deadline. The model follows every fault the simulator injects — late (older `nowMs`)
// and duplicate deliveries, keyed retries, missing, late and repeated ticks — because it implements the same
// contract for them; bad input never reaches it (the engine refuses that before anything runs), and a crash is
// invisible to it (the restored engine must simply go on agreeing).
import { canonicalJson, type Applied, type Command, type EngineConfig, type EngineSnapshot } from '../../engine/index.ts';
import { ReferenceMarket, type RefStep } from '../engine/reference-model.ts';
import { CheckFailure, expectSame } from './check-failure.ts';
import type { SimEngine } from './engine-port.ts';
import { engineProjection, summarizeResult, traceOf } from '../engine/reference-compare.ts';

export class ReferenceCheck {
  private readonly ref: ReferenceMarket;
  /** Group ids the engine generated, paired with the reference's (`<offerId>~g<n>` numbered differently). */
  private readonly engineToRef = new Map<string, string>();
  private readonly pairedRefIds = new Set<string>();
  readonly toRef = (engineId: string): string => this.engineToRef.get(engineId) ?? engineId;

  constructor(config: EngineConfig) {
    this.ref = new ReferenceMarket(config);
  }

  /** Runs `cmd` in the reference and compares. Returns the reference's step (whether it replayed a keyed result). */
  check(cmd: Command, applied: Applied, engine: SimEngine, snapshot: EngineSnapshot): RefStep {
    const refCmd = structuredClone('groupId' in cmd && cmd.groupId !== undefined ? { ...cmd, groupId: this.refIdFor(cmd.groupId) } : cmd);
    const expected = this.ref.apply(refCmd as Command);
    this.pairGeneratedIds(cmd, applied, expected);
    expectSame('result differs from the reference model', summarizeResult(cmd, applied.result, this.toRef), expected.result);
    expectSame('events differ from the reference model', traceOf(applied.events, this.toRef), expected.trace);
    expectSame('state differs from the reference model', engineProjection(snapshot, this.toRef), this.ref.projection());
    expectSame('next deadline differs from the reference model', engine.nextDeadlineMs(), this.ref.nextDeadlineMs());
    return expected;
  }

  /**
   * The reference's name for a group id a client sent. An id of the engine's form that the engine never generated
   * (a client made it up) must not land on a group the reference generated under that name, since the two number
   * their groups differently: it gets a name no group can have, and both sides answer `unknown_group`.
   */
  private refIdFor(groupId: string): string {
    const paired = this.engineToRef.get(groupId);
    if (paired !== undefined) return paired;
    return groupId.includes('~') ? `${groupId}-never-generated` : groupId;
  }

  private pairGeneratedIds(cmd: Command, applied: Applied, expected: RefStep): void {
    const engineId = applied.result.ok ? applied.result.groupId : undefined;
    const refId = expected.result.ok ? expected.result.groupId : undefined;
    if (engineId === undefined || refId === undefined || !refId.includes('~') || this.engineToRef.has(engineId)) return;
    const offerId = 'offerId' in cmd ? cmd.offerId : '';
    if (!new RegExp(`^${offerId}~g[0-9a-z]+$`).test(engineId)) {
      throw new CheckFailure('generated group id', `expected <offerId>~g<n> for offer ${offerId}, got ${canonicalJson(engineId)}`);
    }
    if (this.pairedRefIds.has(refId)) throw new CheckFailure('generated group id', `the engine generated ${engineId} where the reference reuses ${refId}`);
    this.engineToRef.set(engineId, refId);
    this.pairedRefIds.add(refId);
  }
}
